"""The knowledge pages: search, one entry, proposals and their review, statistics, and the
lookup panel of the intake screen."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.pages import may_open, page
from civicgrid.cases.lifecycle import PERMISSIONS, Action, LifecycleError
from civicgrid.cases.views.common import is_htmx

from . import queries, search, services
from .forms import ProposalForm, ReviewForm, SearchForm
from .models import Entry, Proposal, ProposalStatus

RESULTS = 20
LOOKUP_RESULTS = 6


def _results(form: SearchForm) -> tuple[str, list]:
    if not form.is_valid():
        return "", []
    query = form.cleaned_data["q"].strip()
    if not query:
        return "", []
    hits = search.search(query, limit=RESULTS, category=form.cleaned_data["category"])
    counts = queries.usage_counts([entry.pk for entry, _score in hits])
    return query, [(entry, score, counts.get(entry.pk, 0)) for entry, score in hits]


def _tabs(user) -> dict:
    return {
        "may_propose": services.may_propose(user),
        "may_review": services.may_review(user),
        "may_see_stats": _may_see_stats(user),
        "pending": Proposal.objects.filter(status=ProposalStatus.PENDING).count()
        if services.may_review(user)
        else None,
    }


@page("knowledge")
@require_GET
def index(request):
    """Search as you type; without a query, the entries changed most recently."""
    form = SearchForm(request.GET or None)
    query, hits = _results(form)
    context = {"form": form, "query": query, "hits": hits, **_tabs(request.user)}
    if not query:
        recent = list(Entry.objects.valid().select_related("category", "department")[:RESULTS])
        counts = queries.usage_counts([e.pk for e in recent])
        context["recent"] = [(e, counts.get(e.pk, 0)) for e in recent]
    if is_htmx(request):
        return render(request, "knowledge/partials/_results.html", context)
    return render(request, "knowledge/index.html", context)


@page("knowledge")
@require_GET
def detail(request, pk: int):
    entry = get_object_or_404(Entry.objects.select_related("category", "department"), pk=pk)
    context = {
        "entry": entry,
        "usage": queries.usage_of(entry),
        "changes": entry.changes.select_related("actor", "proposal")[:10],
        # Not "pending": the tabs' count of every pending proposal has that name.
        "awaiting": entry.proposals.filter(status=ProposalStatus.PENDING).select_related(
            "proposer", "proposer_department"
        ),
        **_tabs(request.user),
    }
    return render(request, "knowledge/detail.html", context)


@page("knowledge")
def propose(request, pk: int | None = None):
    """A department proposes a new entry, or (with ``pk``) a change to one."""
    if not services.may_propose(request.user):
        raise PermissionDenied(_("Only department handlers and knowledge editors propose entries."))
    entry = get_object_or_404(Entry, pk=pk) if pk is not None else None
    status = 200
    if request.method == "POST":
        form = ProposalForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.propose(
                    actor=request.user,
                    entry=entry,
                    note=form.cleaned_data["note"],
                    **form.entry_fields(),
                )
            except services.InvalidEntry as error:
                for field, message in error.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Proposal sent; an editor will review it."))
                return redirect("knowledge:proposals")
    else:
        form = ProposalForm(initial=ProposalForm.initial_for(entry, request.user))
    context = {"form": form, "entry": entry, **_tabs(request.user)}
    return render(request, "knowledge/propose.html", context, status=status)


@page("knowledge")
@require_GET
def proposals(request):
    """Editors: the proposals awaiting review, then the latest reviewed. Departments: their own."""
    user = request.user
    if not (services.may_review(user) or services.may_propose(user)):
        raise PermissionDenied(_("Only departments and knowledge editors work with proposals."))
    rows = Proposal.objects.select_related(
        "entry", "proposer", "proposer_department", "reviewer", "category", "department"
    )
    if not services.may_review(user):
        rows = rows.filter(proposer=user)
    pending = list(rows.filter(status=ProposalStatus.PENDING).order_by("created_at"))
    for proposal in pending:
        proposal.diff = _diff(proposal)
    reviewed = list(rows.exclude(status=ProposalStatus.PENDING).order_by("-reviewed_at")[:20])
    context = {
        "pending_rows": pending,
        "reviewed": reviewed,
        "review_form": ReviewForm(),
        **_tabs(user),
    }
    return render(request, "knowledge/proposals.html", context)


def _shown(value) -> str:
    if value in (None, ""):
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(getattr(value, "name", value))


def _diff(proposal: Proposal) -> list[tuple[str, str, str]]:
    """(label, now, proposed) of each field the proposal sets or changes."""
    rows = []
    for name in services.ENTRY_FIELDS:
        label = str(Proposal._meta.get_field(name).verbose_name)
        new = _shown(getattr(proposal, name))
        old = _shown(getattr(proposal.entry, name)) if proposal.entry_id else ""
        if (proposal.entry_id and old != new) or (not proposal.entry_id and new):
            rows.append((label, old, new))
    return rows


@page("knowledge")
@require_POST
def review(request, pk: int):
    """Approve (applying the proposal) or reject it; a second review is refused."""
    proposal = get_object_or_404(Proposal.objects.select_related("entry"), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to reject."))
        return redirect("knowledge:proposals")
    note = form.cleaned_data["review_note"]
    try:
        if form.cleaned_data["decision"] == "approve":
            entry = services.approve(proposal, actor=request.user, note=note)
            done = _("Approved: “%(question)s” is in the knowledge base.")
            messages.success(request, done % {"question": entry.question})
        else:
            services.reject(proposal, actor=request.user, note=note)
            messages.success(request, _("Rejected; the department will see your note."))
    except (services.AlreadyReviewed, services.InvalidEntry) as error:
        messages.error(request, error.message)
        return redirect("knowledge:proposals")
    return redirect("knowledge:proposals")


def _may_see_stats(user) -> bool:
    return may_open(user, "knowledge_stats") or services.may_review(user)


def stats_page(view):
    """Leaders and admins (the page table), and knowledge editors (their permission)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not _may_see_stats(request.user):
            raise PermissionDenied(
                _("The knowledge statistics are for leaders, knowledge editors and admins.")
            )
        return view(request, *args, **kwargs)

    return login_required(guarded)


@stats_page
@require_GET
def stats(request):
    context = {"stats": queries.statistics(), **_tabs(request.user)}
    return render(request, "knowledge/stats.html", context)


# --- the intake screen's panel ------------------------------------------------------------


# The prefixes of the forms whose answer fields the lookup fills: intake's (none) and the
# case page's "answer directly" action.
FIELD_PREFIXES = ("", "answer_directly-")


def field_prefix(value: str) -> str:
    return value if value in FIELD_PREFIXES else ""


def may_answer_directly(user) -> bool:
    return user.is_authenticated and user.has_role(*PERMISSIONS[Action.ANSWER_DIRECTLY][0])


@page("intake")
@require_GET
def lookup(request):
    """Entries for what the operator types, each with a button that takes its answer."""
    query = request.GET.get("kb_q", "").strip()[:500]
    hits = search.search(query, limit=LOOKUP_RESULTS) if query else []
    context = {
        "query": query,
        "hits": hits,
        "may_answer": may_answer_directly(request.user),
        "prefix": field_prefix(request.GET.get("prefix", "")),
    }
    return render(request, "knowledge/partials/_lookup.html", context)


@page("intake")
@require_GET
def use(request, pk: int):
    """The answer fields of the intake form, filled from one entry (htmx swaps them in)."""
    prefix = field_prefix(request.GET.get("prefix", ""))
    context = {"answer": "", "entry": None, "errors": [], "prefix": prefix}
    try:
        entry = services.usable_entry(pk)
    except LifecycleError as error:
        context["errors"] = [error.message]
    else:
        context.update(answer=entry.answer, entry=entry)
    return render(request, "knowledge/partials/_answer_fields.html", context)
