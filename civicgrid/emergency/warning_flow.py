"""Warnings as rules: draft a warning, an update or its lift; a commander approves and
it is sent; the units in the area are told. What the public may read of warnings is
decided here too (``public_warnings`` and ``public_view``), the one rule every public
door uses.

A message is drafted by the command room and approved by another commander (four eyes:
a warning reaches the whole area). Approving locks the draft and the message it
replaces; of two commanders sending an update and a lift of the same warning, exactly
one wins and the other is told the warning changed meanwhile.
"""

import math
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

from civicgrid.accounts.models import Role, User
from civicgrid.cases import events
from civicgrid.cases.lifecycle import ActionRefused, ConcurrentUpdate, InvalidAction
from civicgrid.cases.publication.text import public_text

from .events import WARNING_SENT
from .models import Incident, LogKind
from .resources import Team, Warehouse
from .services import (
    MAX_TEXT,
    _check_point,
    _check_radius,
    _is_admin,
    check_area,
    command_refusal,
    log,
    unit_ids,
)
from .warning import (
    CapCategory,
    Certainty,
    MessageType,
    Urgency,
    Warning,
    WarningLevel,
    WarningState,
)

# The fields a draft carries; an update or a lift starts from the message in force.
FIELDS = (
    "level",
    "event",
    "category",
    "urgency",
    "certainty",
    "headline",
    "description",
    "instruction",
    "area_desc",
    "area",
    "lng",
    "lat",
    "radius_m",
    "onset",
    "expires",
)


# --- who ----------------------------------------------------------------------------


def draft_refusal(user, incident: Incident | None = None) -> str | None:
    """Why ``user`` may not draft a warning (on ``incident``), or None: the command room."""
    return command_refusal(user, incident)


def may_draft(user, incident: Incident | None = None) -> bool:
    return draft_refusal(user, incident) is None


def may_approve(user, warning: Warning) -> bool:
    """A commander (in scope of the warning's incident) other than the drafter."""
    return (
        warning.state == WarningState.DRAFT
        and may_draft(user, warning.incident)
        and (user.has_role(Role.COMMANDER) or _is_admin(user))
        and user.pk != warning.drafted_by_id
    )


def may_read(user) -> bool:
    """Staff who read the warnings page: the command room, leaders and unit staff."""
    return bool(
        user.is_authenticated
        and (_is_admin(user) or user.has_role(Role.COMMANDER, Role.LEADER, Role.HANDLER))
    )


def visible_warnings(user) -> QuerySet[Warning]:
    """Every sent message to staff; drafts only to the command room."""
    rows = Warning.objects.select_related("incident", "drafted_by", "approved_by")
    if not may_read(user):
        return rows.none()
    if may_draft(user):
        return rows
    return rows.exclude(state=WarningState.DRAFT)


# --- checking a draft -----------------------------------------------------------------


def _choice(value, choices, field: str, message: str) -> str:
    value = str(value or "").strip()
    if value not in choices.values:
        raise InvalidAction(message, field)
    return value


def _when(value, field: str) -> datetime:
    if isinstance(value, datetime):
        when = value
    else:
        parsed = parse_datetime(str(value or "").strip())
        if parsed is None:
            raise InvalidAction(_("Give the start and end as date and time."), field)
        when = parsed
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def _text(value, field: str, limit: int, *, required: str = "") -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidAction(required, field)
    if len(text) > limit:
        raise InvalidAction(
            _("%(field)s is at most %(limit)s characters.") % {"field": field, "limit": limit},
            field,
        )
    return text


def check(fields: dict, *, datum: str = "wgs84") -> dict:
    """The draft's fields, checked and cleaned; the first problem is refused by name."""
    out: dict = {
        "level": _choice(
            fields.get("level"),
            WarningLevel,
            "level",
            _("Choose a level: blue, yellow, orange or red."),
        ),
        "event": _text(fields.get("event"), "event", 60, required=_("Name the event type.")),
        "category": _choice(
            fields.get("category") or CapCategory.MET,
            CapCategory,
            "category",
            _("Choose a CAP category."),
        ),
        "urgency": _choice(
            fields.get("urgency") or Urgency.EXPECTED, Urgency, "urgency", _("Choose the urgency.")
        ),
        "certainty": _choice(
            fields.get("certainty") or Certainty.LIKELY,
            Certainty,
            "certainty",
            _("Choose the certainty."),
        ),
        "headline": _text(
            fields.get("headline"), "headline", 160, required=_("Write the headline.")
        ),
        "description": _text(fields.get("description"), "description", MAX_TEXT),
        "instruction": _text(fields.get("instruction"), "instruction", MAX_TEXT),
        "area_desc": _text(
            fields.get("area_desc"), "area_desc", 200, required=_("Name the area it covers.")
        ),
    }
    out["area"] = check_area(fields.get("area"), datum)
    lng, lat = _check_point(fields.get("lng"), fields.get("lat"), datum)
    radius = _check_radius(fields.get("radius_m"))
    if (lng is None) != (radius is None):
        raise InvalidAction(_("A circle needs its centre and its radius."), "radius_m")
    if out["area"] is None and radius is None:
        raise InvalidAction(_("Draw the area, or give a centre and a radius."), "area")
    out.update(lng=lng, lat=lat, radius_m=radius)
    out["onset"] = _when(fields.get("onset") or timezone.now(), "onset")
    out["expires"] = _when(fields.get("expires"), "expires")
    if out["expires"] <= out["onset"]:
        raise InvalidAction(_("The warning must end after it starts."), "expires")
    return out


# --- drafting -------------------------------------------------------------------------


def _require_draft(actor: User, incident: Incident | None) -> None:
    why = draft_refusal(actor, incident)
    if why:
        raise ActionRefused(why)


def draft(*, actor: User, incident: Incident | None = None, datum="wgs84", **fields) -> Warning:
    """Draft a new warning (CAP ``Alert``), waiting for a commander's approval."""
    _require_draft(actor, incident)
    clean = check(fields, datum=datum)
    if clean["expires"] <= timezone.now():
        raise InvalidAction(_("The warning would already be over."), "expires")
    return Warning.objects.create(
        incident=incident, msg_type=MessageType.ALERT, drafted_by=actor, **clean
    )


def _current(warning: Warning) -> Warning:
    latest = (
        Warning.objects.filter(Q(pk=warning.series_id) | Q(first_id=warning.series_id))
        .filter(state=WarningState.SENT)
        .first()
    )
    if latest is None or latest.msg_type == MessageType.CANCEL:
        raise InvalidAction(_("This warning is not in force; there is nothing to change."))
    return latest


def _pending(current: Warning) -> None:
    if Warning.objects.filter(replaces=current).exists():
        raise InvalidAction(_("An update or lift of this warning is already waiting for approval."))


def draft_update(
    warning: Warning, *, actor: User, note: str = "", datum="wgs84", **changes
) -> Warning:
    """Draft an update (CAP ``Update``) of the warning in force: its fields, changed."""
    current = _current(warning)
    _require_draft(actor, current.incident)
    _pending(current)
    fields = {name: getattr(current, name) for name in FIELDS}
    changed = {k: v for k, v in changes.items() if k in FIELDS and v not in (None, "")}
    if datum != "wgs84":  # a new place clicked on GCJ-02 tiles: to WGS84 first
        if "area" in changed:
            changed["area"] = check_area(changed["area"], datum)
        if "lng" in changed or "lat" in changed:
            changed["lng"], changed["lat"] = _check_point(
                changed.get("lng"), changed.get("lat"), datum
            )
    fields.update(changed)
    clean = check(fields)
    return _replacing(
        current,
        msg_type=MessageType.UPDATE,
        drafted_by=actor,
        note=_text(note, "note", 300),
        **clean,
    )


def draft_cancel(warning: Warning, *, actor: User, note: str = "") -> Warning:
    """Draft the lift (CAP ``Cancel``) of the warning in force."""
    current = _current(warning)
    _require_draft(actor, current.incident)
    _pending(current)
    fields = {name: getattr(current, name) for name in FIELDS}
    return _replacing(
        current,
        msg_type=MessageType.CANCEL,
        drafted_by=actor,
        note=_text(note, "note", 300),
        **fields,
    )


def _replacing(current: Warning, **fields) -> Warning:
    """The draft that replaces ``current``: one at a time (``replaces`` is unique, so of
    two drafted at once the second is refused by the database too)."""
    try:
        with transaction.atomic():
            return Warning.objects.create(
                incident=current.incident, replaces=current, first_id=current.series_id, **fields
            )
    except IntegrityError:
        raise InvalidAction(
            _("An update or lift of this warning is already waiting for approval.")
        ) from None


def discard(warning: Warning, *, actor: User) -> None:
    """Throw away a draft (its drafter or the command room)."""
    _require_draft(actor, warning.incident)
    deleted, _rows = Warning.objects.filter(pk=warning.pk, state=WarningState.DRAFT).delete()
    if not deleted:
        raise InvalidAction(_("Only a draft can be discarded."))


# --- sending --------------------------------------------------------------------------


def approve(warning: Warning, *, actor: User) -> Warning:
    """A commander approves a draft: it is sent, the message it replaces leaves force,
    the units in the area are told (and the incident's log says so)."""
    with transaction.atomic():
        locked = Warning.objects.select_for_update().get(pk=warning.pk)
        if locked.state != WarningState.DRAFT:
            raise ConcurrentUpdate(_("This message was already approved or discarded."))
        _require_draft(actor, locked.incident)
        if not (actor.has_role(Role.COMMANDER) or _is_admin(actor)):
            raise ActionRefused(_("Only a commander approves a warning."))
        if actor.pk == locked.drafted_by_id:
            raise ActionRefused(
                _("Whoever drafted a warning does not approve it; another commander does.")
            )
        now = timezone.now()
        if locked.replaces_id:
            replaced = Warning.objects.select_for_update().get(pk=locked.replaces_id)
            if replaced.state != WarningState.SENT:
                raise ConcurrentUpdate(_("The warning changed meanwhile; draft again from it."))
            replaced.state = WarningState.REPLACED
            replaced.save(update_fields=["state"])
        elif locked.expires <= now:
            raise InvalidAction(_("The warning would already be over."), "expires")
        locked.state = WarningState.SENT
        locked.approved_by = actor
        locked.sent_at = now
        locked.save(update_fields=["state", "approved_by", "sent_at"])
        told = units_in_area(locked)
        locked.units.set(told)
        _announce(locked, actor, told)
    return locked


def _announce(warning: Warning, actor: User, told: list[int]) -> None:
    incident = warning.incident
    if incident is None:
        return
    words = {
        MessageType.ALERT: _("Warning issued: %(level)s, %(headline)s."),
        MessageType.UPDATE: _("Warning updated: %(level)s, %(headline)s."),
        MessageType.CANCEL: _("Warning lifted: %(headline)s."),
    }[MessageType(warning.msg_type)]
    text = words % {"level": warning.get_level_display(), "headline": warning.headline}
    log(incident, LogKind.DECISION, text, actor=actor, data={"warning": warning.pk})
    if incident.case is not None:
        events.record(
            incident.case,
            WARNING_SENT,
            actor=actor,
            data={
                "warning": warning.headline,
                "warning_level": str(warning.get_level_display()),
                "department_ids": told,
            },
        )


def covers(warning: Warning, lng: float, lat: float) -> bool:
    """Whether (lng, lat) lies in the warning's polygon or circle."""
    from .resourcing import distance_km

    if warning.area and shape(warning.area).covers(Point(lng, lat)):
        return True
    if warning.radius_m and warning.lng is not None and warning.lat is not None:
        return distance_km(warning.lng, warning.lat, lng, lat) * 1000 <= warning.radius_m
    return False


def _bounds(warning: Warning) -> tuple[float, float, float, float]:
    boxes = []
    if warning.area:
        boxes.append(shape(warning.area).bounds)
    if warning.radius_m and warning.lng is not None and warning.lat is not None:
        dlat = warning.radius_m / 111_200
        dlng = dlat / max(0.05, math.cos(math.radians(warning.lat)))
        boxes.append(
            (warning.lng - dlng, warning.lat - dlat, warning.lng + dlng, warning.lat + dlat)
        )
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def units_in_area(warning: Warning) -> list[int]:
    """The units told: those with a team or a warehouse in the area, and the units
    working on the warning's incident."""
    minx, miny, maxx, maxy = _bounds(warning)
    found: set[int] = set()
    for model in (Team, Warehouse):
        rows = model.objects.filter(
            unit__isnull=False,
            unit__active=True,
            lng__gte=minx,
            lng__lte=maxx,
            lat__gte=miny,
            lat__lte=maxy,
        ).values_list("unit_id", "lng", "lat")
        found |= {unit for unit, lng, lat in rows if covers(warning, lng, lat)}
    if warning.incident is not None:
        found |= unit_ids(warning.incident)
    return sorted(found)


def history(warning: Warning) -> list[Warning]:
    """Every message of the warning's series, oldest first."""
    return list(
        Warning.objects.filter(Q(pk=warning.series_id) | Q(first_id=warning.series_id))
        .select_related("drafted_by", "approved_by")
        .order_by("drafted_at", "pk")
    )


# --- what the public reads ------------------------------------------------------------


def public_warnings() -> QuerySet[Warning]:
    """The warnings in force that may leave through a public door: sent, the latest
    of their series, not a lift, not yet over, and never a drill's."""
    return (
        Warning.objects.filter(state=WarningState.SENT, expires__gt=timezone.now())
        .exclude(msg_type=MessageType.CANCEL)
        .exclude(incident__drill=True)
        .order_by("-sent_at", "-pk")
    )


# The level's order for sorting the public list (red first).
LEVEL_RANK = {
    WarningLevel.RED: 0,
    WarningLevel.ORANGE: 1,
    WarningLevel.YELLOW: 2,
    WarningLevel.BLUE: 3,
}


def public_view(warning: Warning) -> dict:
    """What a public door shows of a warning: no incident, no drafter or approver, no
    internal note; the texts through the publication rule's masks."""
    return {
        "id": warning.pk,
        "level": warning.level,
        "level_label": warning.get_level_display(),
        "event": warning.event,
        "headline": public_text(warning.headline),
        "description": public_text(warning.description),
        "instruction": public_text(warning.instruction),
        "area_desc": public_text(warning.area_desc),
        "area": warning.area,
        "circle": [warning.lng, warning.lat, warning.radius_m] if warning.radius_m else None,
        "onset": warning.onset,
        "expires": warning.expires,
        "sent_at": warning.sent_at,
        "updated": warning.msg_type == MessageType.UPDATE,
    }


def in_force_for(user) -> QuerySet[Warning]:
    """The warnings in force the user may read (not drills'): for maps beyond the
    command room, such as the city map."""
    return (
        visible_warnings(user)
        .filter(state=WarningState.SENT, expires__gt=timezone.now())
        .exclude(msg_type=MessageType.CANCEL)
        .exclude(incident__drill=True)
        .order_by("-sent_at", "-pk")
    )


def map_layer(rows) -> list[dict]:
    """Warnings for a Leaflet layer: level, headline, polygon and circle."""
    return [
        {
            "id": w.pk,
            "level": w.level,
            "headline": w.headline,
            "area": w.area,
            "circle": [w.lng, w.lat, w.radius_m] if w.radius_m else None,
        }
        for w in rows
    ]
