"""The papers of a dispute, printed with ``core.pdf``: the mediation agreement (调解协议书),
the rights-and-obligations notice (权利义务告知书), and the dossier (一案一卷) with the
checklist of the documents each outcome requires.

The agreement and the notice are for the parties, so they carry the parties' names:
only staff who may work on the dispute print them, and each print is audited like a
reveal (a ``PersonalDataRead`` row) and noted on the case. The dossier is the centre's
file: identities in it are masked.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.cases import events
from civicgrid.cases.lifecycle import InvalidAction
from civicgrid.core.models import PersonalDataRead
from civicgrid.core.pdf import Document

from . import aftercare, services
from .events import PRINTED
from .models import Dispute, DisputeState, Party
from .records import ConfirmationKind, FollowUp

AGREEMENT, RIGHTS_NOTICE, DOSSIER = "agreement", "rights_notice", "dossier"

# States in which a written agreement exists (and can be printed).
WRITTEN = (
    DisputeState.AGREED,
    DisputeState.CONFIRMING,
    DisputeState.CONFIRMED,
    DisputeState.NOTARISED,
    DisputeState.PERFORMED,
    DisputeState.CLOSED,
)


def _printed(dispute: Dispute, actor: User, document: str, *, personal: bool) -> None:
    if personal:
        PersonalDataRead.objects.create(
            user=actor,
            subject=dispute.case.number,
            field=f"dispute {document} print",
            reason=_("printed for the parties"),
        )
    events.record(dispute.case, PRINTED, actor=actor, data={"document": document})


def _organisation(dispute: Dispute) -> str:
    return dispute.organisation.name if dispute.organisation else ""


def _mediators(dispute: Dispute) -> str:
    return "、".join(m.name for m in dispute.mediators.all())


def _parties_table(parties: list[Party], *, masked: bool) -> list[list[str]]:
    rows = [[_("side"), _("kind"), _("name"), _("phone")]]
    for p in parties:
        rows.append(
            [
                p.get_side_display(),
                p.get_kind_display(),
                p.masked_name if masked else p.name,
                p.masked_phone,
            ]
        )
    return rows


def masker(dispute: Dispute):
    """Replaces the persons' names in a text with their masked names (the dossier)."""
    persons = [(p.name, p.masked_name) for p in dispute.parties.all() if p.name != p.masked_name]
    persons.sort(key=lambda pair: -len(pair[0]))

    def mask(text: str) -> str:
        for name, masked in persons:
            text = (text or "").replace(name, masked)
        return text or ""

    return mask


def _obligations_table(dispute: Dispute, mask=str) -> list[list[str]]:
    rows = [[_("who"), _("what"), _("perform by")]]
    rows += [
        [mask(o.who), mask(o.what), o.due_on.isoformat()]
        for o in aftercare.open_obligations(dispute)
    ]
    return rows


def agreement_pdf(dispute: Dispute, *, actor: User) -> bytes:
    """The written agreement (人民调解协议书) with the parties' names, facts, obligations
    and performance dates, signature lines, the organisation and the mediators."""
    services._require(actor, dispute)
    if dispute.state not in WRITTEN or not aftercare.open_obligations(dispute).exists():
        raise InvalidAction(_("There is no signed written agreement to print."))
    doc = agreement_document(dispute)
    content = doc.render()
    _printed(dispute, actor, AGREEMENT, personal=True)
    return content


def agreement_document(dispute: Dispute, *, masked: bool = False) -> Document:
    doc = Document(
        _("Mediation agreement"), subtitle=_("No. %(number)s") % {"number": dispute.case.number}
    )
    doc.fields(
        [
            (_("Mediation organisation"), _organisation(dispute)),
            (_("Mediators"), _mediators(dispute)),
            (_("Dispute type"), str(dispute.type)),
        ]
    )
    doc.heading(_("Parties"))
    doc.table(_parties_table(list(dispute.parties.all()), masked=masked))
    doc.heading(_("Facts of the dispute"))
    doc.paragraph(dispute.facts or dispute.summary)
    doc.heading(_("What the parties agree"))
    doc.table(_obligations_table(dispute))
    doc.paragraph(
        _(
            "This agreement, reached through people's mediation, is legally binding; the "
            "parties shall perform it as agreed (People's Mediation Law, art. 31). The parties "
            "may jointly apply to the people's court for judicial confirmation within 30 days "
            "of its taking effect (art. 33)."
        ),
        small=True,
    )
    agreed = timezone.localtime(dispute.outcome_at) if dispute.outcome_at else None
    doc.fields([(_("Agreed on"), agreed.strftime("%Y-%m-%d") if agreed else "")])
    doc.signatures(
        [_("Applicant"), _("Respondent"), _("Mediator"), _("Mediation organisation (seal)")]
    )
    return doc


def rights_notice_pdf(dispute: Dispute, *, actor: User) -> bytes:
    """The notice of the parties' rights and obligations in mediation (人民调解法
    第二十三条、第二十四条), one copy naming each party, to be signed as received."""
    services._require(actor, dispute)
    doc = rights_notice_document(dispute)
    content = doc.render()
    _printed(dispute, actor, RIGHTS_NOTICE, personal=True)
    return content


RIGHTS = (
    "to choose or accept the mediator",
    "to accept mediation, refuse it, or ask for it to end",
    "to ask that the mediation be held in public or not",
    "to express their own will and reach an agreement freely",
)
DUTIES = (
    "to state the facts of the dispute truthfully",
    "to keep order at the mediation and respect the mediator",
    "to respect the other party's exercise of their rights",
)


def rights_notice_document(dispute: Dispute, *, masked: bool = False) -> Document:
    doc = Document(
        _("Notice of rights and obligations in mediation"),
        subtitle=_("No. %(number)s") % {"number": dispute.case.number},
    )
    parties = list(dispute.parties.all())
    names = "、".join(p.masked_name if masked else p.name for p in parties)
    doc.paragraph(_("To the parties: %(names)s") % {"names": names})
    doc.paragraph(
        _(
            "Your dispute is mediated by %(organisation)s. Mediation is voluntary and free "
            "of charge. Under the People's Mediation Law you have these rights (art. 23) and "
            "obligations (art. 24):"
        )
        % {"organisation": _organisation(dispute) or _("the mediation centre")}
    )
    doc.heading(_("Your rights"))
    for i, right in enumerate(RIGHTS, 1):
        doc.paragraph(f"{i}. {_(right)}")
    doc.heading(_("Your obligations"))
    for i, duty in enumerate(DUTIES, 1):
        doc.paragraph(f"{i}. {_(duty)}")
    doc.signatures([_("Received by the applicant"), _("Received by the respondent")])
    return doc


# --- the dossier ---------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One document of the dossier: whether this outcome requires it, whether it is in."""

    key: str
    label: str
    required: bool
    present: bool
    detail: str = ""

    @property
    def missing(self) -> bool:
        return self.required and not self.present


def _printed_kinds(dispute: Dispute) -> set[str]:
    return {
        e.data.get("document")
        for e in dispute.case.events.filter(action=PRINTED).only("data")
        if e.data
    }


def checklist(dispute: Dispute) -> list[Item]:
    """Every document of the dispute in the dossier's order, with what its outcome
    requires (a written agreement needs the agreement, a performed one the follow-ups
    and the callback, a confirmed one the ruling or notarial certificate …)."""
    state = dispute.state
    parties = list(dispute.parties.all())
    sessions = list(dispute.sessions.all())
    printed = _printed_kinds(dispute)
    obligations = list(aftercare.open_obligations(dispute))
    confirmations = list(dispute.confirmations.all())
    accepted = dispute.accepted_at is not None
    written = state in WRITTEN and bool(obligations)
    resolved = aftercare.is_resolved(dispute)
    applied = any(c.kind == ConfirmationKind.JUDICIAL for c in confirmations)
    follow_ups = FollowUp.objects.filter(obligation__in=obligations).count()
    attachments = dispute.case.attachments.count()
    items = [
        Item("registration", _("Application and registration"), True, True, dispute.case.number),
        Item(
            RIGHTS_NOTICE,
            _("Notice of rights and obligations"),
            accepted,
            RIGHTS_NOTICE in printed,
        ),
        Item(
            "identity",
            _("Identity of the parties (masked)"),
            True,
            {p.side for p in parties} >= {"applicant", "respondent"},
            "、".join(p.masked_name for p in parties),
        ),
        Item(
            "sessions",
            _("Session records (调解笔录), signed"),
            accepted and state not in (DisputeState.ACCEPTED,),
            bool(sessions) and all(s.signed for s in sessions),
            str(len(sessions)),
        ),
        Item("evidence", _("Evidence and attachments"), False, attachments > 0, str(attachments)),
        Item(
            AGREEMENT,
            _("Mediation agreement"),
            written,
            written and AGREEMENT in printed,
        ),
        Item(
            "oral",
            _("Record of the oral agreement"),
            state == DisputeState.AGREED_ORALLY,
            bool(dispute.facts) and not obligations,
        ),
        Item(
            "failure",
            _("Failure and the lawful routes told"),
            state in (DisputeState.FAILED, DisputeState.REFERRED, DisputeState.REFUSED),
            bool(dispute.failure_reason or dispute.refusal) and dispute.routes.exists(),
        ),
        Item(
            "performance",
            _("Performance follow-ups"),
            resolved and bool(obligations),
            bool(obligations) and all(o.performed_on for o in obligations),
            str(follow_ups),
        ),
        Item(
            "callback",
            _("Callback to the parties"),
            resolved,
            dispute.callbacks.exists(),
        ),
        Item(
            "confirmation",
            _("Judicial confirmation or notarial papers"),
            applied
            or state in (DisputeState.CONFIRMING, DisputeState.CONFIRMED, DisputeState.NOTARISED),
            any(c.ruled_on for c in confirmations),
            "；".join(f"{c.get_kind_display()} {c.reference}".strip() for c in confirmations),
        ),
    ]
    return items


def dossier_pdf(dispute: Dispute, *, actor: User) -> bytes:
    """The whole dossier as one PDF, identities masked, the checklist first."""
    services._require(actor, dispute)
    content = dossier_document(dispute).render()
    _printed(dispute, actor, DOSSIER, personal=False)
    return content


def dossier_document(dispute: Dispute) -> Document:
    case = dispute.case
    mask = masker(dispute)
    doc = Document(_("Dispute dossier"), subtitle=case.number)
    doc.heading(_("Checklist"))
    rows = [[_("document"), _("required"), _("in the dossier")]]
    for item in checklist(dispute):
        rows.append(
            [
                item.label,
                _("yes") if item.required else _("no"),
                _("yes") if item.present else (_("MISSING") if item.required else _("no")),
            ]
        )
    doc.table(rows)

    doc.page_break().heading("1. " + _("Application and registration"))
    doc.fields(
        [
            (_("Case"), case.number),
            (_("Dispute type"), str(dispute.type)),
            (_("Dispute source"), dispute.get_source_display()),
            (_("registered"), timezone.localtime(dispute.registered_at).strftime("%Y-%m-%d")),
            (
                _("accepted"),
                timezone.localtime(dispute.accepted_at).strftime("%Y-%m-%d")
                if dispute.accepted_at
                else "",
            ),
            (_("People involved"), dispute.people_involved),
            (_("Amount involved (yuan)"), dispute.amount if dispute.amount is not None else ""),
            (_("Mediation organisation"), _organisation(dispute)),
            (_("Mediators"), _mediators(dispute)),
            (_("State"), dispute.get_state_display()),
        ]
    )
    doc.paragraph(mask(dispute.summary))

    doc.heading("2. " + _("Notice of rights and obligations"))
    for i, right in enumerate(RIGHTS, 1):
        doc.paragraph(f"{i}. {_(right)}", small=True)
    for i, duty in enumerate(DUTIES, 1):
        doc.paragraph(f"{i}. {_(duty)}", small=True)

    doc.heading("3. " + _("Identity of the parties (masked)"))
    doc.table(_parties_table(list(dispute.parties.all()), masked=True))

    doc.heading("4. " + _("Session records"))
    for s in dispute.sessions.all():
        where = _("by video") if s.video else s.place
        signed = _("signed") if s.signed else _("not signed")
        doc.paragraph(f"{timezone.localtime(s.held_at):%Y-%m-%d %H:%M} · {where} · {signed}")
        doc.paragraph(mask(s.attendees), small=True)
        doc.paragraph(mask(s.record), small=True)

    doc.heading("5. " + _("Evidence and attachments"))
    attachments = list(dispute.case.attachments.order_by("pk").values_list("name", "size"))
    if attachments:
        doc.table([[_("name"), _("size")], *[[n, f"{size} B"] for n, size in attachments]])
    else:
        doc.paragraph(_("None."), small=True)

    doc.heading("6. " + _("Outcome"))
    if dispute.facts:
        doc.paragraph(mask(dispute.facts))
    if aftercare.open_obligations(dispute).exists():
        doc.table(_obligations_table(dispute, mask))
    if dispute.failure_reason:
        doc.paragraph(_("Why it failed") + ": " + mask(dispute.failure_reason))
    routes = [m.name for m in dispute.routes.all()]
    if routes:
        doc.paragraph(_("Lawful routes told") + ": " + "、".join(routes))

    doc.heading("7. " + _("Performance follow-ups"))
    follow_ups = FollowUp.objects.filter(obligation__dispute=dispute).select_related("obligation")
    rows = [[_("obligation"), _("date"), _("result"), _("note")]]
    rows += [
        [mask(f.obligation.who), f.on.isoformat(), f.get_result_display(), mask(f.note)]
        for f in follow_ups
    ]
    _table_or_none(doc, rows)

    doc.heading("8. " + _("Callback to the parties"))
    rows = [[_("date"), _("satisfaction"), _("note")]]
    rows += [
        [c.on.isoformat(), c.get_satisfaction_display(), mask(c.note)]
        for c in dispute.callbacks.all()
    ]
    _table_or_none(doc, rows)

    doc.heading("9. " + _("Judicial confirmation or notarial papers"))
    rows = [[_("kind"), _("court or notary office"), _("applied on"), _("ruling"), _("number")]]
    rows += [
        [
            c.get_kind_display(),
            c.body,
            c.applied_on.isoformat(),
            c.get_ruling_display(),
            c.reference,
        ]
        for c in dispute.confirmations.all()
    ]
    _table_or_none(doc, rows)
    return doc


def _table_or_none(doc: Document, rows: list) -> None:
    if len(rows) > 1:
        doc.table(rows)
    else:
        doc.paragraph(_("None."), small=True)
