"""110 ↔ 12345 (非警务警情分流): 110 passes non-police calls in, 12345 hands police
matters back. The rules are in ``services``; this module reads and answers HTTP.

110's system calls ``POST /api/diversion/110`` with its incident number and gets the
case number; sending the same incident again returns the same case. A dispatcher who
finds a case is a police matter refers it with the kind ``police_matter`` and a reason;
110 collects those with ``GET /api/diversion/110/handed-back?since=…``.

Both endpoints are 110's door: only an integration account of kind ``police_110`` (its
API token) gets in, and it gets in nowhere else (``accounts.auth.door``). It finds only
the diversions it made, and of the hand-backs only the summaries in its regions.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from civicgrid.accounts.auth import door
from civicgrid.accounts.models import Integration
from civicgrid.cases.api import API_FIELD, category_of
from civicgrid.cases.lifecycle import InvalidAction
from civicgrid.cases.models import Channel
from civicgrid.cases.schemas import PointIn, ReporterIn
from civicgrid.cases.services import Intake
from civicgrid.core.api import ERRORS, ErrorOut, Input
from civicgrid.core.datetimes import DataTime, FilterTime
from civicgrid.routing.models import Urgency

from . import services as diversion
from .models import Diversion

router = Router(tags=["110 diversion"], auth=door(Integration.POLICE_110))

INCIDENT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$"


class DiversionIn(Input):
    incident_number: str = Field(
        pattern=INCIDENT_PATTERN,
        description="110's own number of the call.",
        examples=["110-20261122-0042"],
    )
    received_at: DataTime | None = Field(None, description="When 110 took the call (ISO 8601).")
    title: str = Field("", max_length=200, description="Empty: the first words of the content.")
    content: str = Field(min_length=1, max_length=5000)
    category: str | None = Field(None, max_length=20, description="Category code, if 110 knows it.")
    urgency: Urgency | None = None
    address: str = Field("", max_length=255)
    location: PointIn | None = None
    caller: ReporterIn | None = None


class DiversionOut(Schema):
    number: str = Field(description="The 12345 case number.")
    incident_number: str
    status: str
    duplicate: bool = Field(description="True when this incident had already been diverted.")


class HandedBackOut(Schema):
    number: str
    incident_number: str | None = Field(description="Set when the case came from 110.")
    title: str
    address: str
    reason: str
    handed_back_at: datetime


class SinceIn(Input):
    since: FilterTime = Field(description="Hand-backs at or after this moment (ISO 8601).")
    limit: int = Field(200, ge=1, le=1000)


@router.post(
    "/110",
    response={201: DiversionOut, 200: DiversionOut, 409: ErrorOut, **ERRORS},
    operation_id="civicgrid_hotline_api_divert",  # the app's old name: clients keep theirs
    summary="Take a non-police call diverted from 110",
)
def divert(request: HttpRequest, payload: DiversionIn):
    try:
        done = diversion.divert(
            _intake(payload),
            incident_number=payload.incident_number,
            police_received_at=payload.received_at,
            actor=request.auth,
        )
    except diversion.TakenByAnother:
        raise _taken_by_another(payload.incident_number) from None
    except InvalidAction as exc:
        errors = getattr(exc, "errors", None) or {}
        exc.errors = {API_FIELD.get(f, f): m for f, m in errors.items()}
        raise
    return Status(200 if done.duplicate else 201, _out(done.diversion, duplicate=done.duplicate))


def _taken_by_another(incident_number: str) -> HttpError:
    # Says no more than that: the other account's case is none of this caller's business.
    return HttpError(
        409,
        _("Incident %(number)s was diverted by another account.") % {"number": incident_number},
    )


def _intake(payload: DiversionIn) -> Intake:
    category = category_of(payload.category)
    content = payload.content.strip()
    location, caller = payload.location, payload.caller
    return Intake(
        channel=Channel.POLICE_DIVERSION,
        title=payload.title.strip() or content[:30],
        content=content,
        category=category,
        urgency=payload.urgency.value if payload.urgency else "",
        lng=location.lng if location else None,
        lat=location.lat if location else None,
        datum=location.datum.value if location else "wgs84",
        address=payload.address,
        reporter_name=caller.name if caller else "",
        reporter_phone=caller.phone if caller else "",
        extra={"110_incident": payload.incident_number},
    )


def _out(diversion: Diversion, *, duplicate: bool) -> dict:
    return {
        "number": diversion.case.number,
        "incident_number": diversion.incident_number,
        "status": diversion.case.status,
        "duplicate": duplicate,
    }


@router.get(
    "/110/handed-back",
    response={200: list[HandedBackOut], **ERRORS},
    operation_id="civicgrid_hotline_api_handed_back",
    summary="Cases handed (back) to 110 as police matters",
)
def handed_back(request: HttpRequest, filters: Query[SinceIn]):
    return diversion.handed_back(request.auth, since=filters.since, limit=filters.limit)
