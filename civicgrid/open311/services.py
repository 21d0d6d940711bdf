"""Changes made through Open311: a client posts a request (a case) or an update (a note).

Refusals raise ``Open311Error`` (the status and the spec's error list) before anything
is written. A request becomes a case through ``cases.services.register_case`` with
channel ``open311``, so it enters the same loop as every other channel.
"""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Integration, hash_token
from civicgrid.cases import events, lifecycle
from civicgrid.cases import services as case_services
from civicgrid.cases.models import Case
from civicgrid.cases.scope import in_regions

from . import queries
from .inputs import RequestInput, UpdateInput
from .models import ClientSystem, ClientUpdate, ServiceRequest
from .params import Open311Error, invalid

LAST_USED_RESOLUTION = timedelta(minutes=1)
# validate_intake's field names → the Open311 parameter the caller sent.
PARAM_OF_FIELD = {
    "title": "description",
    "content": "description",
    "lng": "lat",
    "lat": "lat",
    "reporter_phone": "phone",
    "reporter_name": "first_name",
    "request_type": "request_type",
    "urgency": "service_code",
    "channel": "service_code",
}


def client_for_key(raw: str) -> ClientSystem:
    """The active client system with this API key; a 403 otherwise.

    ``last_used_at`` is refreshed at most once a minute, conditionally, so a busy client
    does not turn every request into a write.
    """
    raw = raw.strip()
    client = None
    if raw and len(raw) <= 200:
        client = (
            ClientSystem.objects.select_related("user")
            .filter(
                key_hash=hash_token(raw),
                active=True,
                user__is_active=True,
                user__integration=Integration.OPEN311,
            )
            .first()
        )
    if client is None:
        raise Open311Error(
            403,
            _("api_key: this key is unknown or no longer valid.")
            if raw
            else _("api_key: this method needs an API key."),
        )
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if client.last_used_at is None or client.last_used_at < stale:
        ClientSystem.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=client.pk
        ).update(last_used_at=now)
    return client


def _field_errors(errors: dict) -> list[str]:
    described = []
    for name, message in errors.items():
        if name.startswith("extra."):
            param = f"attribute[{name.removeprefix('extra.')}]"
        else:
            param = PARAM_OF_FIELD.get(name, name)
        described.append(_("%(param)s: %(problem)s") % {"param": param, "problem": message})
    return described


def notice_for(case: Case) -> str:
    """The ``service_notice`` of a new request: what happens next."""
    return _(
        "Registered as case %(number)s. The command centre assigns it to the department "
        "responsible; follow it with GET requests/%(number)s."
    ) % {"number": case.number}


def submit_request(given: RequestInput, *, client: ClientSystem) -> ServiceRequest:
    """Register the case a client posts, as its account, and keep its Open311 row."""
    try:
        case = case_services.register_case(given.intake, actor=client.user)
    except lifecycle.InvalidAction as exc:
        errors = exc.errors or {"content": exc.message}
        raise Open311Error(400, *_field_errors(errors)) from exc
    except lifecycle.ActionRefused as exc:
        # ClientSystem.clean makes sure its account may register: what remains is a
        # point in a grid outside the regions this client serves.
        raise invalid("lat", _("This place is outside the area this client serves.")) from exc
    # Written after the case's own transaction, so the case number is taken exactly as
    # for any other intake (its counter is locked for one statement only).
    return ServiceRequest.objects.create(
        case=case,
        client=client,
        token=secrets.token_urlsafe(16),
        address_id=given.address_id,
        account_id=given.account_id,
        device_id=given.device_id,
    )


def no_such_request(number: str) -> Open311Error:
    """The spec's 404 for a request that does not exist, or that the caller may not touch:
    the two must read the same."""
    return Open311Error(404, _("service_request_id: there is no request %(id)s.") % {"id": number})


def case_for_update(number: str, client: ClientSystem) -> Case:
    """The case a client may post an update on, or the 404 of a request that does not exist.

    A client system serves an area: it may add to a listed request it registered itself
    or to one in its account's regions (a street's app speaks for that street), never
    to a case elsewhere.
    """
    case = queries.listed_case(number)
    mine = Q(open311__client=client) | in_regions(client.user)
    if case is None or not Case.objects.filter(mine, pk=case.pk).exists():
        raise no_such_request(number)
    return case


def post_update(given: UpdateInput, *, client: ClientSystem) -> ClientUpdate:
    """Append a client's update to a case as a public note (``add_note``) with its event.

    Only on a case in the client's scope (``case_for_update``). The update's ``status``
    is the client's view (a citizen saying "fixed"): it is kept with the note but moves
    nothing; statuses change only through the lifecycle, by staff. A repeated
    ``update_id`` from the same client is refused, even in a race.
    """
    case = case_for_update(given.service_request_id, client)
    duplicate = Open311Error(
        400,
        _("update_id: update %(id)s was already received from this client.")
        % {"id": given.update_id},
    )
    if ClientUpdate.objects.filter(client=client, update_id=given.update_id).exists():
        raise duplicate
    try:
        with transaction.atomic():
            event = events.record(
                case, events.Note.ADD_NOTE, actor=client.user, note=given.note, data=given.data
            )
            update = ClientUpdate.objects.create(
                client=client, update_id=given.update_id, event=event
            )
    except IntegrityError as exc:
        # Lost a race with the same update_id: the unique constraint decided.
        if ClientUpdate.objects.filter(client=client, update_id=given.update_id).exists():
            raise duplicate from exc
        raise
    return update


def rotate_key(client: ClientSystem) -> str:
    """Give ``client`` a new API key (the old one stops working) and return it, once."""
    raw = client.new_key()
    client.save(update_fields=["prefix", "key_hash"])
    return raw
