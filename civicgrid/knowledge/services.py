"""Every change to the knowledge base: entries, proposals and their review, and the
direct answer at intake that uses an entry.

Each function that changes an entry writes an ``EntryChange`` and, after commit, has
this process's search index check its version at the next search (other processes
notice within seconds through the same version check).
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actor import Actor
from civicgrid.accounts.models import Role, User

from . import search
from .models import ChangeKind, Entry, EntryChange, Proposal, ProposalStatus

VIA_SEED, VIA_IMPORT, VIA_PROPOSAL, VIA_ADMIN = "seed", "import", "proposal", "admin"
ENTRY_FIELDS = (
    "question",
    "answer",
    "category",
    "department",
    "valid_from",
    "valid_to",
    "source",
    "keywords",
)
REVIEW_PERMISSION = "knowledge.review_proposal"


class InvalidEntry(Exception):
    """Input that cannot become an entry; ``errors`` maps each field to its problem."""

    def __init__(self, errors: dict[str, str]):
        self.errors = {field: str(message) for field, message in errors.items()}
        self.message = next(iter(self.errors.values()))
        super().__init__(self.message)


class AlreadyReviewed(Exception):
    """The proposal was approved or rejected already (perhaps a moment ago, by someone else)."""

    def __init__(self, proposal: Proposal):
        self.message = _("This proposal was already reviewed; nothing was changed.")
        super().__init__(self.message)
        self.proposal = proposal


# --- entries ---------------------------------------------------------------------------


def entry_errors(fields: dict) -> dict[str, str]:
    """The problems of an entry's fields, by field (empty when it can be stored)."""
    errors: dict[str, str] = {}
    question = (fields.get("question") or "").strip()
    if not question:
        errors["question"] = _("Write the question the entry answers.")
    elif len(question) > Entry._meta.get_field("question").max_length:
        errors["question"] = _("The question is longer than 300 characters.")
    if not (fields.get("answer") or "").strip():
        errors["answer"] = _("Write the answer.")
    if len(fields.get("source") or "") > Entry._meta.get_field("source").max_length:
        errors["source"] = _("The source is longer than 300 characters.")
    valid_from, valid_to = fields.get("valid_from"), fields.get("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("The entry cannot end before it starts.")
    return errors


def _cleaned(fields: dict) -> dict:
    data = {k: v for k, v in fields.items() if k in ENTRY_FIELDS}
    for name in ("question", "answer", "source"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if "keywords" in data:
        lines = (line.strip() for line in (data["keywords"] or "").splitlines())
        data["keywords"] = "\n".join(dict.fromkeys(line for line in lines if line))
    if not data.get("valid_from"):
        data["valid_from"] = timezone.localdate()
    return data


def new_entry(**fields) -> Entry:
    """An unsaved entry with its search text; raises ``InvalidEntry``."""
    data = _cleaned(fields)
    if errors := entry_errors(data):
        raise InvalidEntry(errors)
    entry = Entry(**data)
    entry.search_text = search.search_text(entry.question, entry.keywords, entry.answer)
    return entry


def create_entries(entries: list[Entry], *, actor: Actor, via: str) -> list[Entry]:
    """Store unsaved entries from ``new_entry`` at once, each with its update record."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        for entry in entries:
            entry.created_by = user
        created = Entry.objects.bulk_create(entries, batch_size=500)
        if not all(e.pk for e in created):  # a backend that does not return ids
            created = list(Entry.objects.order_by("-id")[: len(entries)])[::-1]
        EntryChange.objects.bulk_create(
            [EntryChange(entry=e, actor=user, kind=ChangeKind.CREATED, via=via) for e in created],
            batch_size=500,
        )
        transaction.on_commit(search.refresh_soon)
    return created


def create_entry(*, actor: Actor, via: str = VIA_ADMIN, proposal=None, **fields) -> Entry:
    """Create one entry; raises ``InvalidEntry``."""
    entry = new_entry(**fields)
    entry.created_by = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        entry.save()
        _log(entry, actor, ChangeKind.CREATED, via, proposal)
    return entry


def update_entry(
    entry: Entry, *, actor: Actor, via: str = VIA_ADMIN, proposal=None, **fields
) -> Entry:
    """Change an entry's fields (those given); raises ``InvalidEntry``."""
    data = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    data.update({k: v for k, v in fields.items() if k in ENTRY_FIELDS})
    data = _cleaned(data)
    if errors := entry_errors(data):
        raise InvalidEntry(errors)
    for name, value in data.items():
        setattr(entry, name, value)
    entry.search_text = search.search_text(entry.question, entry.keywords, entry.answer)
    if "is_active" in fields:
        entry.is_active = bool(fields["is_active"])
    with transaction.atomic():
        entry.save()
        kind = ChangeKind.CHANGED if entry.is_active else ChangeKind.WITHDRAWN
        _log(entry, actor, kind, via, proposal)
    return entry


def _log(entry: Entry, actor: Actor, kind: str, via: str, proposal=None) -> EntryChange:
    user = actor if getattr(actor, "is_authenticated", False) else None
    change = EntryChange.objects.create(
        entry=entry, actor=user, kind=kind, via=via, proposal=proposal
    )
    transaction.on_commit(search.refresh_soon)
    return change


# --- proposals and review --------------------------------------------------------------


def may_review(user) -> bool:
    """Knowledge editors (the permission, e.g. through the "knowledge editors" group) and
    administrators approve or reject proposals."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.has_role(Role.ADMIN) or user.has_perm(REVIEW_PERMISSION)


def may_propose(user) -> bool:
    """Department handlers propose for their department; editors may propose too."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(proposing_department(user)) or may_review(user)


def proposing_department(user) -> int | None:
    """The department a handler proposes for: that of their first handler grant."""
    ids = [g.department_id for g in user.grants_for(Role.HANDLER) if g.department_id]
    return ids[0] if ids else None


def propose(*, actor: User, entry: Entry | None = None, note: str = "", **fields) -> Proposal:
    """A proposed new entry (``entry`` None) or change to ``entry``, awaiting an editor.

    ``fields`` is the whole entry as it should become. Raises ``InvalidEntry`` or
    ``PermissionDenied``.
    """
    if not may_propose(actor):
        raise PermissionDenied(_("Only department handlers and knowledge editors propose entries."))
    data = _cleaned(fields)
    if errors := entry_errors(data):
        raise InvalidEntry(errors)
    if entry is not None and all(getattr(entry, k) == v for k, v in data.items()):
        raise InvalidEntry(
            {"answer": _("The proposal is the same as the entry: change something.")}
        )
    return Proposal.objects.create(
        entry=entry,
        entry_updated_at=entry.updated_at if entry else None,
        proposer=actor,
        proposer_department_id=proposing_department(actor),
        note=note.strip(),
        **data,
    )


def _claim(proposal: Proposal, *, actor: User, status: str, note: str) -> Proposal:
    """Mark a pending proposal reviewed; exactly one reviewer wins."""
    if not may_review(actor):
        raise PermissionDenied(_("Only knowledge editors approve or reject proposals."))
    if proposal.proposer_id == actor.pk:
        raise PermissionDenied(_("A proposal is reviewed by someone other than its author."))
    now = timezone.now()
    won = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.PENDING).update(
        status=status, reviewer=actor, reviewed_at=now, review_note=note.strip()
    )
    if not won:
        raise AlreadyReviewed(proposal)
    proposal.status, proposal.reviewer, proposal.reviewed_at = status, actor, now
    proposal.review_note = note.strip()
    return proposal


def approve(proposal: Proposal, *, actor: User, note: str = "") -> Entry:
    """Approve a proposal and apply it — a new entry or the change — in one transaction.

    Raises ``PermissionDenied``, ``AlreadyReviewed`` or ``InvalidEntry`` (nothing changes).
    """
    fields = {name: getattr(proposal, name) for name in ENTRY_FIELDS}
    with transaction.atomic():
        _claim(proposal, actor=actor, status=ProposalStatus.APPROVED, note=note)
        if proposal.entry_id is None:
            entry = create_entry(actor=actor, via=VIA_PROPOSAL, proposal=proposal, **fields)
            Proposal.objects.filter(pk=proposal.pk).update(entry=entry)
            proposal.entry = entry
            return entry
        entry = Entry.objects.select_for_update().get(pk=proposal.entry_id)
        return update_entry(entry, actor=actor, via=VIA_PROPOSAL, proposal=proposal, **fields)


def reject(proposal: Proposal, *, actor: User, note: str) -> Proposal:
    """Reject a proposal, saying why; the entry stays as it is."""
    if not note.strip():
        raise InvalidEntry({"review_note": _("Say why the proposal is rejected.")})
    with transaction.atomic():
        return _claim(proposal, actor=actor, status=ProposalStatus.REJECTED, note=note)


# --- using an entry ----------------------------------------------------------------------


def usable_entry(entry_id, day: date | None = None) -> Entry:
    """The entry with this id if it is in use and valid today, else ``InvalidAction``
    naming the ``knowledge_entry`` input."""
    from civicgrid.cases.lifecycle import InvalidAction

    try:
        pk = int(entry_id)
    except (TypeError, ValueError):
        pk = 0
    entry = Entry.objects.filter(pk=pk).first() if pk > 0 else None
    if entry is None:
        raise InvalidAction(_("There is no such knowledge-base entry."), "knowledge_entry")
    if not entry.is_valid_on(day):
        raise InvalidAction(
            _("The knowledge-base entry “%(question)s” is not in force today; choose another.")
            % {"question": entry.question},
            "knowledge_entry",
        )
    return entry
