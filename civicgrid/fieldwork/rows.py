"""Rows of the field-work pages drawn in Python rather than per-row template lookups.

The overdue board lists every grid worker and community of a district and its worst
grids: ~11,000 template variables for a district of 948 grids, over half the page's time
(``bench/fieldwork.py``). The markup is the one ``fieldwork/_tally.html`` drew.
"""

from django.conf import settings
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop

from civicgrid.core.tables import e, table

from .services import Tally


def render_tally(title, rows: list[Tally]) -> SafeString:
    """One table of the board: name, due, made, on time, share on time, overdue."""
    heads = (
        gettext_noop("Name"),
        gettext_noop("Due"),
        gettext_noop("Made"),
        gettext_noop("On time"),
        gettext_noop("Share on time"),
        gettext_noop("Overdue (earlier months)"),
    )
    out: list[str] = []
    # Counts as the template showed them: plain digits unless thousands are grouped.
    n = number_format if settings.USE_THOUSAND_SEPARATOR else str
    for row in rows:
        share = row.share
        shown = f"{round(share * 100)}%" if share is not None else "–"
        late = ' class="late"' if row.overdue else ""
        out.append(
            f"        <tr{late}><td>{e(row.name)}</td><td>{n(row.due)}</td>"
            f"<td>{n(row.done)}</td><td>{n(row.on_time)}</td><td>{shown}</td>"
            f"<td>{n(row.overdue)}</td></tr>\n"
        )
    if not rows:
        empty = e(gettext("No visits in your grids this month."))
        out.append(f'        <tr><td colspan="6" class="empty">{empty}</td></tr>\n')
    rows_table = table([gettext(h) for h in heads], out, indent="  ")
    return format_html('<section class="card">\n  <h2>{}</h2>\n{}</section>\n', title, rows_table)
