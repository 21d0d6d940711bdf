"""The printable incident log and plan (``core.pdf``): what the command room signs and
files. A drill says so in its title, on every page."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from civicgrid.core.pdf import Document

from . import taxonomy
from .models import Incident, Plan, ResponseLevel
from .plans import NUMERAL


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else "—"


def incident_title(incident: Incident) -> str:
    title = _("Incident log: %(title)s") % {"title": incident.title}
    return f"【{_('DRILL')}】{title}" if incident.drill else title


def incident_log_pdf(incident: Incident) -> bytes:
    """The incident, its reports, its tasks and the whole log in time order."""
    doc = Document(
        incident_title(incident), subtitle=incident.case.number if incident.case else _("drill")
    )
    doc.fields(
        [
            (_("Type"), incident.type_name),
            (_("Severity"), incident.get_severity_display()),
            (_("Status"), incident.get_status_display()),
            (_("Response level"), incident.level_label or "—"),
            (_("Plan"), incident.plan.name if incident.plan else "—"),
            (_("Place"), incident.address or f"{incident.lng:.5f}, {incident.lat:.5f}"),
            (_("Commander"), _person(incident.commander)),
            (_("Lead unit"), incident.lead_unit.name if incident.lead_unit else "—"),
            (_("Opened"), _when(incident.created_at)),
            (_("Response ended"), _when(incident.ended_at)),
        ]
    )
    doc.heading(pgettext("incident", "Reports"))
    rows = [[_("Report"), _("Filed"), _("Due"), _("Author"), _("Text")]]
    for report in incident.reports.select_related("author"):
        name = str(report) + (f" ({_('late')})" if report.late else "")
        rows.append(
            [
                name,
                _when(report.filed_at),
                _when(report.due_at),
                _person(report.author),
                report.text,
            ]
        )
    doc.table(rows, widths=None)
    doc.heading(_("Tasks"))
    rows = [[_("Step"), _("Unit"), _("Measure"), _("Due"), _("Status")]]
    for task in incident.tasks.select_related("unit"):
        rows.append(
            [
                str(task.position),
                task.unit.name,
                task.measure,
                _when(task.due_at),
                task.get_status_display(),
            ]
        )
    doc.table(rows)
    doc.heading(_("Log"))
    rows = [[_("Time"), _("Kind"), _("By"), _("Entry")]]
    for entry in incident.log.select_related("actor"):
        by = _person(entry.actor) if entry.actor else _("system")
        rows.append([_when(entry.at), entry.get_kind_display(), by, entry.text])
    doc.table(rows)
    if incident.assessment:
        doc.heading(_("Assessment")).paragraph(incident.assessment)
    doc.signatures([_("Commander"), _("Duty officer")])
    return doc.render()


def plan_pdf(plan: Plan) -> bytes:
    """The plan as the units read it: scope, levels and triggers, steps, needs."""
    doc = Document(plan.name, subtitle=plan.code)
    doc.fields(
        [
            (_("Incident types"), "、".join(taxonomy.name(c) for c in plan.type_codes) or _("all")),
            (_("Places"), "、".join(plan.places) or "—"),
            (_("Last drilled on"), plan.drilled_on.isoformat() if plan.drilled_on else "—"),
            (_("Last revised on"), plan.revised_on.isoformat() if plan.revised_on else "—"),
        ]
    )
    doc.heading(_("Response levels"))
    rows = [[_("Level"), _("Trigger"), _("Lead unit"), _("Member units")]]
    for lv in plan.levels.select_related("lead_unit").prefetch_related("member_units"):
        trigger = lv.condition or lv.get_trigger_display()
        if lv.trigger_key:
            trigger += f" ({lv.trigger_key} ≥ {lv.trigger_at_least})"
        rows.append(
            [
                str(ResponseLevel(lv.level).label),
                trigger,
                lv.lead_unit.name if lv.lead_unit else "—",
                "、".join(d.name for d in lv.member_units.all()),
            ]
        )
    doc.table(rows)
    doc.heading(_("Steps"))
    rows = [[_("Step"), _("Owner unit"), _("Measure"), _("Time limit (minutes)"), _("Levels")]]
    for step in plan.steps.select_related("owner"):
        levels = "、".join(NUMERAL[n] for n in sorted(step.levels, reverse=True))
        rows.append(
            [str(step.position), step.owner.name, step.measure, str(step.limit_minutes), levels]
        )
    doc.table(rows)
    for label, text in (
        (_("Teams required"), plan.teams),
        (_("Materials required"), plan.materials),
        (_("Shelters required"), plan.shelters),
        (_("Termination conditions"), plan.termination),
    ):
        if text:
            doc.heading(label).paragraph(text)
    return doc.render()
