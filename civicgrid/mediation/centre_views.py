"""The centre's pages for screening (排查) and statistics, kept apart from the dispute
forms in ``views``: the grid worker's screening form (phone first), the overdue board
and the sensitive periods, the statistics table and its Excel export."""

from datetime import date, timedelta

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import ActionRefused, LifecycleError
from civicgrid.regions.models import Region

from . import queries, screening, services, statistics
from .models import (
    FINISHED,
    RUNNING,
    DisputeState,
    DisputeType,
    Mediator,
    Organisation,
    ScreeningReport,
    SensitivePeriod,
    Session,
    Source,
)

PAGE_SIZE = 100


def _day(value: str | None) -> date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def _month(value: str | None) -> date | None:
    return _day(f"{value}-01") if value and len(value) == 7 else _day(value)


# --- screening -------------------------------------------------------------------------


@page("screening")
def screening_form(request):
    """The grid worker files this period's screening of one of their grids."""
    grids = screening.my_grids(request.user)
    period = screening.period_for(timezone.localdate())
    status = 200
    if request.method == "POST":
        post = request.POST
        grid = Region.objects.filter(code=post.get("grid", "")).first()
        findings = [
            screening.FindingInput(type_code=t, summary=s, people_involved=p or 2)
            for t, s, p in zip(
                post.getlist("type"), post.getlist("summary"), post.getlist("people"), strict=False
            )
        ]
        try:
            filed = screening.file_report(
                actor=request.user,
                grid=grid,
                findings=findings,
                zero=post.get("zero") == "on",
                note=post.get("note", ""),
            )
        except LifecycleError as error:
            messages.error(request, error.message)
            status = 403 if isinstance(error, ActionRefused) else 400
        else:
            if filed.report.zero:
                messages.success(request, _("Zero report filed. Thank you."))
            else:
                count = len(filed.disputes)
                messages.success(
                    request,
                    ngettext(
                        "Screening filed; %(count)s dispute handed over to mediation.",
                        "Screening filed; %(count)s disputes handed over to mediation.",
                        count,
                    )
                    % {"count": count},
                )
            return redirect("mediation:screening")
    recent = ScreeningReport.objects.filter(grid__in=grids).select_related("grid")[:20]
    types = DisputeType.objects.filter(parent__isnull=False).select_related("parent")
    return render(
        request,
        "mediation/screening_form.html",
        {
            "grids": grids,
            "period": period,
            "recent": recent,
            "types": types,
            "rows": range(3),
        },
        status=status,
    )


@page("screening_board")
def screening_board(request):
    """Overdue screening per community and grid; the sensitive periods."""
    current, previous, communities = screening.board(screening.leader_paths(request.user))
    return render(
        request,
        "mediation/screening_board.html",
        {
            "current": current,
            "previous": previous,
            "communities": communities,
            "periods": SensitivePeriod.objects.all()[:20],
        },
    )


@page("screening_board")
@require_POST
def sensitive_period(request):
    try:
        screening.set_sensitive_period(
            actor=request.user,
            name=request.POST.get("name", ""),
            start=_day(request.POST.get("start")),  # type: ignore[arg-type]
            end=_day(request.POST.get("end")),  # type: ignore[arg-type]
        )
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sensitive period set: its grids screen weekly."))
    return redirect("mediation:screening_board")


# --- statistics ------------------------------------------------------------------------


def filters_from(params) -> statistics.Filters:
    def number(name: str) -> int | None:
        value = (params.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    return statistics.Filters(
        start=_month(params.get("start")),
        end=_month(params.get("end")),
        organisation=number("organisation"),
        mediator=number("mediator"),
        source=(params.get("source") or "").strip(),
        type=(params.get("type") or "").strip()[:8],
        group=(params.get("group") or "organisation").strip(),
    )


@page("mediation_statistics")
def statistics_page(request):
    filters = filters_from(request.GET)
    rows, total = statistics.table(filters, statistics.scoped_organisations(request.user))
    return render(
        request,
        "mediation/statistics.html",
        {
            "filters": filters,
            "rows": rows,
            "total": total,
            "groups": statistics.GROUPS,
            "sources": Source.choices,
            "organisations": Organisation.objects.filter(active=True),
            "mediators": Mediator.objects.select_related("organisation")[:500],
            "types": DisputeType.objects.filter(parent__isnull=True),
            "query": request.GET.urlencode(),
        },
    )


@page("mediation_statistics")
def statistics_export(request):
    """The same table as an Excel workbook."""
    from openpyxl import Workbook

    filters = filters_from(request.GET)
    rows, total = statistics.table(filters, statistics.scoped_organisations(request.user))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Mediation statistics")))
    columns = ["accepted", "succeeded", "rate", *statistics.COUNTERS[2:]]
    sheet.append(
        [str(statistics.GROUPS[filters.group])] + [str(statistics.LABELS[c]) for c in columns]
    )
    for row in [*rows, total]:
        sheet.append(
            [_text(row.label)]
            + [
                (float(row.rate) if row.rate is not None else statistics.NONE)
                if c == "rate"
                else (float(getattr(row, c)) if c == "amount" else getattr(row, c))
                for c in columns
            ]
        )
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="mediation-statistics.xlsx"'
    book.save(response)
    return response


def _text(value: str) -> str:
    # Text that looks like a formula stays text.
    return "'" + value if value[:1] in "=+-@" else value


# --- the mediator's home, the court liaison --------------------------------------------

SOON_DAYS = 3
COURT_SOURCES = services.COURT_SOURCES


@page("mediator_home")
def mediator_home(request):
    """The mediator's day: sessions held today, deadlines within three days, their open
    disputes nearest deadline first (phone first)."""
    now = timezone.now()
    today = timezone.localdate()
    mine = queries.my_disputes(request.user)
    soon = now + timedelta(days=SOON_DAYS)
    due_soon = [
        (d, services.light(d, now))
        for d in mine.filter(
            Q(state__in=RUNNING, due_at__lte=soon)
            | Q(state=DisputeState.AGREED, confirm_by__lte=soon)
        )[:50]
    ]
    start, end = statistics.day_bounds(today)
    sessions = (
        Session.objects.filter(dispute__in=services.visible_disputes(request.user))
        .filter(held_at__gte=start, held_at__lt=end)
        .select_related("dispute__case")
        .order_by("held_at")[:50]
    )
    rows = [(d, services.light(d, now)) for d in mine[:PAGE_SIZE]]
    return render(
        request,
        "mediation/mediator_home.html",
        {"due_soon": due_soon, "sessions": sessions, "rows": rows},
    )


@page("court_liaison")
def court_liaison(request):
    """Cases sent by the court (委派 before filing, 委托 after) and their outcome, and the
    failures referred back to the court through the green channel."""
    court = (
        services.court_disputes(request.user)
        .filter(source__in=COURT_SOURCES)
        .order_by("-registered_at")
    )
    counts = {
        row["source"]: row
        for row in court.values("source")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=~Q(state__in=FINISHED) & Q(outcome_at__isnull=True)),
            succeeded=Count("pk", filter=statistics.SUCCEEDED),
            failed=Count("pk", filter=Q(failure_reason__gt="")),
        )
        .order_by()
    }
    referred = (
        services.court_disputes(request.user)
        .filter(state=DisputeState.REFERRED, case__main_department__isnull=True)
        .order_by("-outcome_at")[:PAGE_SIZE]
    )
    return render(
        request,
        "mediation/court_liaison.html",
        {
            "sources": [(s, Source(s).label, counts.get(s)) for s in COURT_SOURCES],
            "rows": list(court[:PAGE_SIZE]),
            "referred": list(referred),
        },
    )
