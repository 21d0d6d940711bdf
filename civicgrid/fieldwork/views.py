"""Field work pages: the grid worker's day (phone first), the visits board, grid teams
and households, centre tasks, councils and points. Views parse, call ``services``,
render; refusals come back as the service's translated message."""

from django.contrib import messages
from django.db.models import Count, Q, Window
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.attachments import download
from civicgrid.cases.lifecycle import LifecycleError
from civicgrid.regions.models import Level, Region

from . import scope, services
from .calendar import month_of, parse_month
from .forms import (
    CouncilForm,
    HouseholdForm,
    MemberForm,
    PointsForm,
    RecordForm,
    ReplyForm,
    TaskForm,
    VisitForm,
)
from .models import (
    Council,
    CouncilTask,
    Household,
    MustAttend,
    PointEntry,
    ReplyPhoto,
    Reward,
    TaskReply,
    TeamMember,
)
from .rows import render_tally

LIST = 50
BOARD_GRIDS = 100


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _grid_choices(grids) -> list[tuple[int, str]]:
    return [(g.pk, f"{g.name} ({g.code})") for g in grids.order_by("code")]


@page("field_day")
def day(request):
    """The grid worker's day on the phone: visits to make, must-attend tasks, the
    centre's tasks for my grids, my reports."""
    user = request.user
    today = timezone.localdate()
    # The first visits and how many there are in all, in one query (a window count).
    visits = _with_labels(
        services.due_visits(user, today)
        .only("month", "household__label", "household__category", "grid__name")
        .annotate(total=Window(Count("pk")))[:LIST]
    )
    # Must-attend tasks, centre tasks and my reports: one query for the three.
    lines = services.day_lists(user, limit=LIST, reports=10)
    context = {
        "today": today,
        "month": month_of(today),
        "visits": visits,
        "visit_count": visits[0].total if visits else 0,
        "attend": lines["attend"],
        "replies": lines["reply"],
        "reports": lines["report"],
        "now": timezone.now(),
    }
    return render(request, "fieldwork/day.html", context)


def _with_labels(visits) -> list:
    """The visits, each with its household's category label: translated once per page,
    not per row (``get_category_display`` rebuilds and hashes every lazy label)."""
    labels = {k: str(v) for k, v in Household._meta.get_field("category").flatchoices}
    # One URL reversed, the household's id put in per row (50 reversals were a tenth of
    # the page's time).
    head, tail = reverse("fieldwork:visit", args=[0]).rsplit("/0/", 1)
    rows = list(visits)
    for visit in rows:
        visit.category_label = labels.get(visit.household.category, visit.household.category)
        visit.url = f"{head}/{visit.household_id}/{tail}"
    return rows


def _month_param(request):
    raw = request.GET.get("month", "")
    if not raw:
        return month_of(timezone.localdate()), None
    try:
        return parse_month(raw), None
    except ValueError:
        return month_of(timezone.localdate()), _("Give the month as YYYY-MM.")


@page("field_board")
def board(request):
    """Overdue visits per grid, community and grid worker, with the share on time."""
    month, problem = _month_param(request)
    if problem:
        messages.error(request, problem)
    result = services.overdue_board(request.user, month)
    # The worst grids first; a district has hundreds (all of them are in the API).
    context = {
        "board": result,
        "tables": [
            render_tally(_("Grid workers"), result.workers),
            render_tally(_("Communities"), result.communities),
            render_tally(_("Grids"), result.grids[:BOARD_GRIDS]),
        ],
        "more_grids": max(0, len(result.grids) - BOARD_GRIDS),
    }
    return render(request, "fieldwork/board.html", context)


def _household_or_404(user, pk: int) -> Household:
    household = get_object_or_404(Household.objects.select_related("grid"), pk=pk)
    if not scope.may_see(user, household.grid):
        raise Http404
    return household


@page("field_teams")
def teams(request):
    """The grids I see: their team (1 + N + X), households of concern (masked),
    councils; forms to add a household and record a council."""
    grids = scope.visible_grids(request.user).order_by("code")
    chosen = grids.filter(code=request.GET.get("grid", "")).first() or grids.first()
    choices = _grid_choices(grids)
    context = {
        "grids": grids,
        "grid": chosen,
        "members": TeamMember.objects.filter(grid=chosen, active=True) if chosen else [],
        "households": Household.objects.filter(grid=chosen, active=True)[:200] if chosen else [],
        "councils": Council.objects.filter(grid=chosen).prefetch_related("tasks")[:10]
        if chosen
        else [],
        "household_form": HouseholdForm(grids=choices, initial={"grid": chosen and chosen.pk}),
        "community": bool(chosen) and scope.in_community(request.user, chosen),
        "member_form": MemberForm(grids=choices, initial={"grid": chosen and chosen.pk}),
        "council_form": CouncilForm(grids=choices, initial={"grid": chosen and chosen.pk}),
    }
    return render(request, "fieldwork/teams.html", context)


def roster(request):
    """The public roster of a grid: names and team roles, never a contact."""
    grid = get_object_or_404(Region, code=request.GET.get("grid", ""), level=Level.GRID)
    members = TeamMember.objects.filter(grid=grid, active=True).values("name", "role", "speciality")
    return render(request, "fieldwork/roster.html", {"grid": grid, "members": list(members)})


@page("field_teams")
@require_POST
def household_new(request):
    grids = scope.visible_grids(request.user)
    form = HouseholdForm(request.POST, grids=_grid_choices(grids))
    if form.is_valid():
        data = form.cleaned_data
        grid = grids.filter(pk=data["grid"]).first()
        try:
            if grid is None:
                raise LifecycleError(_("Choose one of your grids."))
            household = services.add_household(
                grid,
                actor=request.user,
                label=data["label"],
                category=data["category"],
                consent_on=data["consent_on"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
            )
        except LifecycleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Household %(door)s added.") % {"door": household.label})
            return redirect(reverse("fieldwork:teams") + f"?grid={grid.code}")
    else:
        messages.error(
            request,
            _("Check the household's details: %(errors)s")
            % {"errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
    return redirect("fieldwork:teams")


@page("field_teams")
def household(request, pk: int, revealed: dict | None = None):
    """A household: masked contact, its visits, its points; award and redeem."""
    household = _household_or_404(request.user, pk)
    context = {
        "household": household,
        "revealed": revealed,
        "visits": household.visits.select_related("worker", "case")[:24],
        "entries": PointEntry.objects.filter(household=household).select_related("actor")[:30],
        "balance": services.balance(household),
        "rewards": Reward.objects.filter(active=True),
        "points_form": PointsForm(),
        "in_team": scope.in_team(request.user, household.grid),
    }
    return render(request, "fieldwork/household.html", context)


@page("field_teams")
@require_POST
def reveal(request, pk: int):
    target = _household_or_404(request.user, pk)
    try:
        contact = services.reveal_contact(
            target, actor=request.user, reason=request.POST.get("reason", "")
        )
    except LifecycleError as error:
        messages.error(request, error.message)
        return redirect("fieldwork:household", pk=pk)
    return household(request, pk, revealed=contact)


@page("field_teams")
@require_POST
def points(request, pk: int):
    target = _household_or_404(request.user, pk)
    form = PointsForm(request.POST)
    back = redirect("fieldwork:household", pk=pk)
    if not form.is_valid():
        messages.error(request, _("Award between 1 and %(n)d points.") % {"n": services.MAX_POINTS})
        return back
    data = form.cleaned_data
    try:
        if data["reward"]:
            reward = Reward.objects.filter(pk=data["reward"]).first()
            if reward is None:
                raise LifecycleError(_("This reward is no longer offered."))
            services.redeem(target, reward, actor=request.user)
            messages.success(request, _("%(reward)s redeemed.") % {"reward": reward.name})
        else:
            services.award(
                target, actor=request.user, points=data["points"] or 0, reason=data["reason"]
            )
            messages.success(request, _("Points awarded."))
    except LifecycleError as error:
        messages.error(request, error.message)
    return back


@page("field_day")
def visit(request, pk: int):
    """Record a visit to a household (phone form; a resend after a lost connection
    returns the first record)."""
    target = _household_or_404(request.user, pk)
    status = 200
    if request.method == "POST":
        form = VisitForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                recorded = services.record_visit(
                    target,
                    actor=request.user,
                    visited_on=data["visited_on"],
                    found=data["found"],
                    follow_up=data["follow_up"],
                    key=data["client_key"],
                    problem_title=data["problem_title"],
                )
            except LifecycleError as error:
                problems: list[tuple[str | None, str]] = list(error.errors.items())
                for name, message in problems or [(None, error.message)]:
                    form.add_error(name if name in form.fields else None, message)
                status = 403 if error.code == "forbidden" else 400
            else:
                return _visited(request, recorded)
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=status)
    else:
        form = VisitForm()
    context = {"household": target, "form": form}
    return render(request, "fieldwork/visit.html", context, status=status)


def _visited(request, recorded: services.Recorded):
    visit = recorded.visit
    url = reverse("fieldwork:day")
    if recorded.replayed:
        text = _("This visit had already arrived; it was not recorded twice.")
    else:
        text = _("Visit to %(door)s recorded.") % {"door": visit.household.label}
    if visit.case is not None:
        text += " " + _("Case %(number)s filed.") % {"number": visit.case.number}
    messages.success(request, text)
    if _wants_json(request):
        return JsonResponse(
            {"visit": visit.pk, "url": url, "replayed": recorded.replayed},
            status=200 if recorded.replayed else 201,
        )
    return redirect(url)


@page("field_day")
@require_POST
def arrive(request, pk: int):
    task = get_object_or_404(MustAttend.objects.select_related("grid", "case"), pk=pk)
    if not scope.may_see(request.user, task.grid):
        raise Http404
    try:
        services.arrive(task, actor=request.user, note=request.POST.get("note", ""))
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Arrival at case %(number)s recorded.") % {"number": task.case.number}
        )
    return redirect("fieldwork:day")


@page("field_tasks")
def tasks(request):
    """The centre's tasks to grids, with how many grids have done each; the send form."""
    user = request.user
    community = scope.is_admin(user) or user.has_role(*scope.COMMUNITY)
    grids = scope.visible_grids(user) if community else Region.objects.none()
    form = TaskForm(request.POST or None, grids=_grid_choices(grids))
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Give the task and choose the grids."))
        else:
            data = form.cleaned_data
            try:
                task = services.send_task(
                    grids.filter(pk__in=data["grids"]),
                    actor=user,
                    title=data["title"],
                    details=data["details"],
                    due_at=data["due_at"],
                )
            except LifecycleError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("Task sent to %(n)d grids.") % {"n": task.replies.count()}
                )
                return redirect("fieldwork:task", pk=task.pk)
    listed = (
        services.visible_tasks(user)
        .annotate(
            total=Count("replies"), done=Count("replies", filter=Q(replies__done_at__isnull=False))
        )
        .order_by("-created_at")[:LIST]
    )
    return render(
        request, "fieldwork/tasks.html", {"tasks": listed, "form": form if community else None}
    )


@page("field_tasks")
def task(request, pk: int):
    """A task's progress board (who has done it); my grids' reply form."""
    user = request.user
    found = get_object_or_404(services.visible_tasks(user), pk=pk)
    if request.method == "POST":
        reply = get_object_or_404(
            TaskReply.objects.select_related("grid"), pk=request.POST.get("reply") or 0, task=found
        )
        form = ReplyForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say what was done."))
        else:
            try:
                services.reply_task(
                    reply,
                    actor=user,
                    result=form.cleaned_data["result"],
                    files=request.FILES.getlist("photos"),
                )
            except LifecycleError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Reply sent for %(grid)s.") % {"grid": reply.grid.name})
        return redirect("fieldwork:task", pk=pk)
    board = services.progress(found)
    mine = {g.pk for g in scope.team_grids(user)}
    return render(
        request,
        "fieldwork/task.html",
        {"task": found, **board, "mine": mine, "reply_form": ReplyForm()},
    )


def _teams_post(request, form_class, incomplete, act, problem=lambda e: e.message):
    """A community form about one of the user's grids: check it, act, say how it went.

    ``act(grid, data)`` returns the success message or raises ``LifecycleError``; the
    user goes back to the grid's team page either way (to the team page when the form
    was incomplete).
    """
    grids = scope.visible_grids(request.user)
    form = form_class(request.POST, grids=_grid_choices(grids))
    if not form.is_valid():
        messages.error(request, incomplete)
        return redirect("fieldwork:teams")
    grid = grids.get(pk=form.cleaned_data["grid"])
    try:
        done = act(grid, form.cleaned_data)
    except LifecycleError as error:
        messages.error(request, problem(error))
    else:
        messages.success(request, done)
    return redirect(reverse("fieldwork:teams") + f"?grid={grid.code}")


@page("field_teams")
@require_POST
def council_new(request):
    def act(grid, data):
        services.hold_council(
            grid,
            actor=request.user,
            topic=data["topic"],
            meeting_on=data["meeting_on"],
            decision=data["decision"],
            attendance=data["attendance"],
            tasks=data["tasks"].splitlines(),
        )
        return _("Council recorded.")

    return _teams_post(
        request, CouncilForm, _("Give the topic, the date and the residents present."), act
    )


@page("field_tasks")
def photo(request, pk: int):
    """A reply's photo, for those who see the task."""
    found = get_object_or_404(ReplyPhoto.objects.select_related("reply"), pk=pk)
    if not services.visible_tasks(request.user).filter(pk=found.reply.task_id).exists():
        raise Http404
    return download(found)


def _problem_text(error: LifecycleError) -> str:
    return "; ".join(str(m) for m in error.errors.values()) or error.message


@page("field_teams")
@require_POST
def member_new(request):
    """The community puts a person on a grid's roster."""

    def act(grid, data):
        member = services.add_member(
            grid,
            actor=request.user,
            name=data["name"],
            role=data["role"],
            speciality=data["speciality"],
        )
        return _("%(name)s joined the team.") % {"name": member.name}

    return _teams_post(
        request, MemberForm, _("Give the name and the team role."), act, problem=_problem_text
    )


@page("field_teams")
@require_POST
def member_leave(request, pk: int):
    member = get_object_or_404(TeamMember.objects.select_related("grid"), pk=pk)
    if not scope.may_see(request.user, member.grid):
        raise Http404
    try:
        services.retire_member(member, actor=request.user)
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s left the team.") % {"name": member.name})
    return redirect(reverse("fieldwork:teams") + f"?grid={member.grid.code}")


@page("field_workers")
def workers(request):
    """The grid workers of the community: their grids, visits made this month, their
    last assessment."""
    month = month_of(timezone.localdate())
    listed = (
        services.visible_workers(request.user)
        .annotate(
            made=Count(
                "visits_made",
                filter=Q(visits_made__month=month, visits_made__visited_on__isnull=False),
                distinct=True,
            ),
        )
        .order_by("last_name", "first_name", "username")[:200]
    )
    return render(request, "fieldwork/workers.html", {"workers": listed, "month": month})


def _worker_or_404(user, pk: int):
    worker = services.visible_workers(user).filter(pk=pk).first()
    if worker is None:
        raise Http404
    return worker


@page("field_workers")
def worker(request, pk: int):
    """A grid worker's file: appointment, training, assessments, and the visits made
    (never where they were)."""
    person = _worker_or_404(request.user, pk)
    keeps = services.may_keep_file(request.user, person)
    context = {
        "person": person,
        "grids": scope.team_grids(person).order_by("code"),
        "records": person.worker_records.select_related("recorded_by"),
        "visits": list(services.visit_log(person)[:LIST]),
        "visits_made": services.visit_log(person).count(),
        "keeps": keeps,
        "record_form": RecordForm(initial={"on": timezone.localdate()}) if keeps else None,
    }
    return render(request, "fieldwork/worker.html", context)


@page("field_workers")
@require_POST
def worker_record(request, pk: int):
    """The community adds an appointment, a training or an assessment, or scores the
    worker's visits on time (``assess``)."""
    person = _worker_or_404(request.user, pk)
    back = redirect("fieldwork:worker", pk=pk)
    try:
        if request.POST.get("assess"):
            if not services.may_keep_file(request.user, person):
                raise LifecycleError(_("Only the community or centre keeps a grid worker's file."))
            services.assess(person, actor=request.user)
            messages.success(request, _("Assessment recorded."))
            return back
        form = RecordForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the kind, the title and the date."))
            return back
        data = form.cleaned_data
        services.add_record(
            person,
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            on=data["on"],
            score=data["score"],
        )
    except LifecycleError as error:
        messages.error(request, _problem_text(error))
    else:
        messages.success(request, _("Record added."))
    return back


def _council_or_404(user, pk: int) -> Council:
    council = get_object_or_404(Council.objects.select_related("grid", "created_by"), pk=pk)
    if not scope.may_see(user, council.grid):
        raise Http404
    return council


@page("field_teams")
def council(request, pk: int):
    """A council: the topic, the residents' decision, and where each follow-up stands
    (open, done, or a case and its status)."""
    found = _council_or_404(request.user, pk)
    tasks = list(found.tasks.select_related("case").order_by("pk"))
    context = {
        "council": found,
        "tasks": tasks,
        "open": sum(1 for t in tasks if t.done_on is None and t.case_id is None),
    }
    return render(request, "fieldwork/council.html", context)


@page("field_teams")
@require_POST
def council_task(request, pk: int, move: str):
    """A follow-up is done, or becomes a case."""
    if move not in ("done", "case"):
        raise Http404
    task = get_object_or_404(CouncilTask.objects.select_related("council__grid"), pk=pk)
    if not scope.may_see(request.user, task.council.grid):
        raise Http404
    try:
        if move == "case":
            case = services.council_task_to_case(task, actor=request.user)
            messages.success(request, _("Case %(number)s filed.") % {"number": case.number})
        else:
            services.finish_council_task(task, actor=request.user)
            messages.success(request, _("Follow-up done."))
    except LifecycleError as error:
        messages.error(request, _problem_text(error))
    return redirect("fieldwork:council", pk=task.council_id)
