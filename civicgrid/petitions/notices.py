"""The written notices a petitioner receives (信访工作条例: the petitioner is told in
writing): 受理告知书 when accepted, 不予受理告知书 with the reason and the lawful route,
处理意见书 with the handling opinion. One PDF (``core.pdf``), in the active language."""

from django.utils.translation import gettext as _

from civicgrid.core.pdf import Document

from . import services
from .models import Petition, PetitionState


def kind_of(petition: Petition) -> str | None:
    """Which notice the petition's state calls for; None before a decision."""
    if petition.review_opinion:
        return "review"
    if petition.opinion:
        return "opinion"
    if petition.state == PetitionState.NOT_ACCEPTED or (
        petition.state == PetitionState.CLOSED and petition.refusal_reason
    ):
        return "refusal"
    if petition.decided_on:
        return "acceptance"
    return None


def _day(value) -> str:
    return value.isoformat() if value else ""


def notice(petition: Petition) -> bytes:
    kind = kind_of(petition)
    title = {
        "acceptance": _("Notice of acceptance of a petition"),
        "refusal": _("Notice of non-acceptance of a petition"),
        "opinion": _("Handling opinion on a petition"),
        "review": _("Review opinion on a petition"),
    }[kind or "acceptance"]
    doc = Document(title, subtitle=petition.case.number)
    doc.paragraph(_("To: %(name)s") % {"name": petition.petitioner_name})
    doc.fields(
        [
            (_("Case number"), petition.case.number),
            (_("Form of petition"), petition.get_form_display()),
            (_("Received on"), _day(petition.received_on)),
            (_("Receiving office"), petition.receiving_office),
            (_("Decided on"), _day(petition.decided_on)),
        ]
    )
    doc.heading(_("The matter petitioned"))
    doc.paragraph(petition.matter)
    doc.heading(_("Decision"))
    if kind == "refusal":
        doc.paragraph(_("Your petition is not accepted."))
        doc.fields(
            [
                (_("Reason"), petition.refusal_reason),
                (_("Lawful route"), petition.lawful_route),
            ]
        )
    else:
        doc.paragraph(
            _(
                "Your petition is accepted. It is handled within %(days)s days of acceptance, "
                "that is by %(due)s."
            )
            % {"days": services.HANDLE_DAYS, "due": _day(petition.due_on)}
        )
        if petition.extended_days:
            doc.paragraph(
                _("The time limit was extended by %(days)s days: %(reason)s")
                % {"days": petition.extended_days, "reason": petition.extension_reason}
            )
    if kind in ("opinion", "review"):
        doc.heading(_("Handling opinion"))
        doc.paragraph(petition.opinion)
        doc.fields([(_("Replied on"), _day(petition.replied_on))])
        if kind == "opinion":
            doc.paragraph(
                _(
                    "If you do not agree with this opinion, you may ask the office one level "
                    "up to review it within 30 days of receiving it."
                )
            )
    if kind == "review":
        doc.heading(_("Review opinion"))
        doc.paragraph(petition.review_opinion)
        doc.fields(
            [
                (_("Review requested on"), _day(petition.review_requested_on)),
                (_("Reviewed on"), _day(petition.reviewed_on)),
            ]
        )
    doc.heading(_("Lawful routes"))
    doc.paragraph(
        _(
            "Matters that belong to litigation, arbitration or administrative review are "
            "brought by those routes: %(routes)s."
        )
        % {"routes": "、".join(services.LAWFUL_ROUTES)}
    )
    doc.signatures([petition.receiving_office])
    return doc.render()
