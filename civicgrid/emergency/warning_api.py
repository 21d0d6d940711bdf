"""/api/emergency/warnings: the warnings the caller sees, drafting one, approving a
draft, drafting an update or the lift, and each message as CAP 1.2 XML. A token acts
as its user does on the pages (``warning_flow``)."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from civicgrid.cases.api import not_found
from civicgrid.core.api import ERRORS, Input

from . import cap, services, warning_flow
from .warning import Warning

router = Router(tags=["emergency"])
COMMAND_ERRORS = {**ERRORS, 409: ERRORS[400]}


def _caller(request: HttpRequest):
    return request.auth  # type: ignore[attr-defined]  # set by django-ninja's auth


class WarningOut(Schema):
    id: int
    identifier: str = Field(description="The CAP identifier of this message.")
    msg_type: str = Field(description="Alert, Update or Cancel (CAP msgType).")
    state: str = Field(description="draft, sent, or replaced by a later message.")
    in_force: bool
    level: str = Field(description="blue, yellow, orange or red.")
    event: str
    category: str
    headline: str
    description: str
    instruction: str
    area_desc: str
    area: dict | None
    lng: float | None
    lat: float | None
    radius_m: int | None
    onset: datetime
    expires: datetime
    incident: int | None
    replaces: int | None
    sent_at: datetime | None
    units: list[str] = Field(description="The codes of the units told.")

    @staticmethod
    def resolve_identifier(w: Warning) -> str:
        return cap.identifier(w)

    @staticmethod
    def resolve_incident(w: Warning) -> int | None:
        return w.incident_id

    @staticmethod
    def resolve_replaces(w: Warning) -> int | None:
        return w.replaces_id

    @staticmethod
    def resolve_units(w: Warning) -> list[str]:
        return [u.code for u in w.units.all()]


class WarningFilter(Input):
    in_force: bool = Field(False, description="Only the warnings in force.")
    limit: int = Field(100, ge=1, le=200)


class WarningIn(Input):
    level: str = Field(description="blue, yellow, orange or red.")
    event: str = Field(max_length=60)
    category: str = Field("Met", description="A CAP category.")
    urgency: str = Field("Expected")
    certainty: str = Field("Likely")
    headline: str = Field(max_length=160)
    description: str = Field("", max_length=4000)
    instruction: str = Field("", max_length=4000)
    area_desc: str = Field(max_length=200)
    area: dict | None = Field(None, description="A GeoJSON Polygon (WGS84).")
    lng: float | None = None
    lat: float | None = None
    radius_m: int | None = Field(None, description="With lng and lat: the circle.")
    onset: datetime | None = None
    expires: datetime
    incident: int | None = None


class UpdateIn(Input):
    level: str | None = None
    event: str | None = Field(None, max_length=60)
    headline: str | None = Field(None, max_length=160)
    description: str | None = Field(None, max_length=4000)
    instruction: str | None = Field(None, max_length=4000)
    area_desc: str | None = Field(None, max_length=200)
    area: dict | None = None
    lng: float | None = None
    lat: float | None = None
    radius_m: int | None = None
    expires: datetime | None = None
    note: str = Field("", max_length=300)


class CancelIn(Input):
    note: str = Field("", max_length=300)


def _warning(request: HttpRequest, warning_id: int) -> Warning:
    found = warning_flow.visible_warnings(_caller(request)).filter(pk=warning_id).first()
    if found is None:
        raise not_found(_("There is no such warning that you can see."))
    return found


@router.get("", response={200: list[WarningOut], **ERRORS}, summary="Warnings")
def list_warnings(request: HttpRequest, filters: Query[WarningFilter]):
    rows = warning_flow.visible_warnings(_caller(request)).prefetch_related("units")
    if filters.in_force:
        return [w for w in rows.filter(state="sent")[:500] if w.in_force][: filters.limit]
    return list(rows[: filters.limit])


@router.post("", response={200: WarningOut, **ERRORS}, summary="Draft a warning")
def draft(request: HttpRequest, body: WarningIn):
    """The command room drafts; another commander approves (``/{id}/approve``)."""
    user = _caller(request)
    incident = None
    if body.incident is not None:
        incident = services.visible_incidents(user).filter(pk=body.incident).first()
        if incident is None:
            raise not_found(_("There is no such incident that you can see."))
    fields = body.dict(exclude={"incident"})
    return warning_flow.draft(actor=user, incident=incident, **fields)


@router.get("/{warning_id}", response={200: WarningOut, **ERRORS}, summary="A warning")
def get_warning(request: HttpRequest, warning_id: int):
    return _warning(request, warning_id)


@router.get("/{warning_id}/cap", summary="A warning message as CAP 1.2 XML")
def get_cap(request: HttpRequest, warning_id: int):
    found = _warning(request, warning_id)
    return HttpResponse(cap.to_xml(found), content_type="application/xml; charset=utf-8")


@router.post(
    "/{warning_id}/approve",
    response={200: WarningOut, **COMMAND_ERRORS},
    summary="Approve and send a draft",
)
def approve(request: HttpRequest, warning_id: int):
    """A commander other than the drafter; 409 when another approved it meanwhile."""
    return warning_flow.approve(_warning(request, warning_id), actor=_caller(request))


@router.post(
    "/{warning_id}/update",
    response={200: WarningOut, **ERRORS},
    summary="Draft an update of a warning in force",
)
def update(request: HttpRequest, warning_id: int, body: UpdateIn):
    changes = body.dict(exclude={"note"}, exclude_none=True)
    return warning_flow.draft_update(
        _warning(request, warning_id), actor=_caller(request), note=body.note, **changes
    )


@router.post(
    "/{warning_id}/cancel",
    response={200: WarningOut, **ERRORS},
    summary="Draft the lift of a warning in force",
)
def cancel(request: HttpRequest, warning_id: int, body: CancelIn):
    return warning_flow.draft_cancel(
        _warning(request, warning_id), actor=_caller(request), note=body.note
    )
