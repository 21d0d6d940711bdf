"""The rows of the dispute lists (the risk board, a mediator's disputes) drawn in Python.

The same HTML ``mediation/_rows.html`` drew, without the template: for 100 rows the
template spent ~2 ms a row resolving variables, and each ``get_…_display`` rebuilt and
hashed the field's choices (every lazy label translated again) — the risk board took
~450 ms where its query takes 1 ms. Here the labels are translated once per page and
each row is one f-string (``tests/test_rows.py`` pins the markup).
"""

from urllib.parse import quote

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext, ngettext

from civicgrid.core.tables import e, table

from .models import Dispute, DisputeState

# The characters reverse() leaves unquoted in a path argument (RFC 3986 sub-delims and more).
SAFE = "!$&'()*+,;=/~:@"


def _day(value) -> str:
    if value is None:
        return ""
    return date_format(localtime(value) if is_aware(value) else value, "Y-m-d")


def _labels(field: str) -> dict[str, str]:
    choices = Dispute._meta.get_field(field).flatchoices  # type: ignore[union-attr]
    return {k: str(v) for k, v in choices}


def render_rows(rows) -> SafeString:
    """``rows``: (dispute, light, days left to confirm or None), the dispute with its
    case, type and organisation selected."""
    states, levels = _labels("state"), _labels("level")
    # One reverse() for the page: the case number goes in as reverse() would quote it.
    before, _sep, after = reverse("cases:detail", args=["NUMBER"]).partition("NUMBER")
    heads = [
        gettext("Case"),
        gettext("Dispute type"),
        gettext("State"),
        gettext("Risk"),
        gettext("Deadline"),
    ]
    out: list[str] = []
    for d, light, days in rows:
        number = e(d.case.number)
        url = e(
            f"{before}{quote(d.case.number, safe=SAFE)}{after}"
            if "/" not in d.case.number
            else reverse("cases:detail", args=[d.case.number])
        )
        organisation = f"<br><small>{e(d.organisation.name)}</small>" if d.organisation_id else ""
        deadline = ""
        if light and light != "none":
            when = d.confirm_by if d.state == DisputeState.AGREED else d.due_at
            deadline = f'<span class="tag light-{e(light)}">{_day(when)}</span>'
        if days is not None:
            tone = "light-red" if days < 0 else "light-orange" if days <= 7 else ""
            text = (
                gettext("judicial confirmation overdue")
                if days < 0
                else ngettext("%(days)s day to confirm", "%(days)s days to confirm", days)
                % {"days": days}
            )
            deadline += f' <small class="tag {tone}" data-confirm-days="{days}">{e(text)}</small>'
        colour = e(d.colour)
        out.append(
            f'    <tr data-case="{number}" data-colour="{colour}">\n'
            f'      <td><a href="{url}#dispute">{number}</a></td>\n'
            f"      <td>{e(d.type.name)}</td>\n"
            f"      <td>{e(states.get(d.state, d.state))}{organisation}</td>\n"
            f'      <td><span class="tag risk-{colour}">{e(levels.get(d.level, d.level))}'
            f"</span></td>\n"
            f"      <td>{deadline}</td>\n"
            "    </tr>\n"
        )
    if not rows:
        out.append(f'    <tr><td colspan="5">{e(gettext("No disputes."))}</td></tr>\n')
    return table(heads, out, css="table compact")
