"""Changes made through Open311: a client posts a request (a case) or an update (a note).

Refusals raise ``Open311Error`` (the status and the spec's error list) before anything
is written. A request becomes a case through ``cases.services.register_case`` with
channel ``open311``, so it enters the same loop as every other channel.
"""

import copy
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.keys import KeyCache, Known, accounts_version, own_copy
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
    "idempotency_key": "Idempotency-Key",
}


def client_for_key(raw: str) -> ClientSystem:
    """The active client system with this API key; a 403 otherwise.

    Resolved keys are kept in the process (``accounts.keys.KeyCache``, dropped when an
    account, a grant or a client system changes). ``last_used_at`` is refreshed at most
    once a minute, conditionally, so a busy client does not turn every request into a
    write.
    """
    raw = raw.strip()
    entry = None
    if raw and len(raw) <= 200:
        entry = _clients.get(hash_token(raw), lambda: _load_client(raw))
    if entry is None:
        raise Open311Error(
            403,
            _("api_key: this key is unknown or no longer valid.")
            if raw
            else _("api_key: this method needs an API key."),
        )
    now = timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if entry.last_used_at is None or entry.last_used_at < stale:
        ClientSystem.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=entry.pk
        ).update(last_used_at=now)
        entry.last_used_at = now
    client = copy.copy(entry.row)
    client.user = own_copy(entry.user)
    return client


def _load_client(raw: str) -> Known | None:
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
        return None
    return Known(client.pk, client.user, client.last_used_at, row=client)


def _clients_version() -> tuple:
    """The accounts' version and the client systems' (a key rotated, one deactivated)."""
    systems = ClientSystem.objects.aggregate(
        n=Count("id"), active=Sum("id", filter=Q(active=True)), changed=Max("updated_at")
    )
    return (*accounts_version(), *systems.values())


_clients = KeyCache(_clients_version)


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


def submit_request(
    given: RequestInput, *, client: ClientSystem, key: str | None = None
) -> ServiceRequest:
    """Register the case a client posts, as its account, with its Open311 row.

    The case, its event, the Open311 row and the idempotency ``key`` (the client's
    ``Idempotency-Key`` header) are written in one transaction: a crash leaves all or
    nothing, and the client's retry under the same key gets the request the first
    attempt made instead of a second case.
    """
    submission = None
    if key and key.strip():
        submission = case_services.SubmissionKey(f"open311:{client.pk}", key.strip())

    def keep(case: Case) -> ServiceRequest:
        return ServiceRequest(
            case=case,
            client=client,
            token=secrets.token_urlsafe(16),
            address_id=given.address_id,
            account_id=given.account_id,
            device_id=given.device_id,
        )

    try:
        registered = case_services.register_case_once(
            given.intake, actor=client.user, key=submission, then=keep
        )
    except lifecycle.InvalidAction as exc:
        errors = exc.errors or {"content": exc.message}
        raise Open311Error(400, *_field_errors(errors)) from exc
    except lifecycle.ActionRefused as exc:
        # ClientSystem.clean makes sure its account may register: what remains is a
        # point in a grid outside the regions this client serves.
        raise invalid("lat", _("This place is outside the area this client serves.")) from exc
    if registered.replayed:
        return ServiceRequest.objects.select_related("case").get(case=registered.case)
    return registered.kept


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
    client.save(update_fields=["prefix", "key_hash", "updated_at"])
    _clients.forget()
    return raw
