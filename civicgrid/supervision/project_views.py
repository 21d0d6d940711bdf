"""The problems of the month (未诉先办): the list with its create form, one project with
its milestones. Views parse and call ``projects``; refusals come back as messages."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civicgrid.accounts.pages import page
from civicgrid.cases.lifecycle import LifecycleError
from civicgrid.regions.models import Level, Region
from civicgrid.routing.models import Department

from . import projects
from .models import Milestone, ProjectStatus


class ProjectForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    source = forms.CharField(
        label=gettext_lazy("Where it comes from"), max_length=200, required=False
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner unit"), queryset=Department.objects.order_by("code")
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("Area"),
        queryset=Region.objects.exclude(level=Level.GRID).defer("boundary").order_by("path"),
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=gettext_lazy("What is to be done"), widget=forms.Textarea, required=False
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=200)
    due_on = forms.DateField(
        label=gettext_lazy("Due on"), widget=forms.DateInput(attrs={"type": "date"})
    )


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Check the form.")


@page("projects")
def project_list(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                project = projects.create_project(actor=request.user, **form.cleaned_data)
            except LifecycleError as refused:
                messages.error(request, refused.message)
            else:
                return redirect("supervision:project", pk=project.pk)
        else:
            messages.error(request, _first_error(form))
    rows = (
        projects.visible_projects(request.user)
        .select_related("owner", "region")
        .with_progress()
        .order_by("status", "due_on")
    )
    return render(
        request,
        "supervision/projects.html",
        {"form": form, "projects": rows, "today": timezone.localdate()},
    )


@page("projects")
def project_detail(request, pk: int):
    project = get_object_or_404(
        projects.visible_projects(request.user).select_related("owner", "region").with_progress(),
        pk=pk,
    )
    return render(
        request,
        "supervision/project.html",
        {
            "project": project,
            "milestones": project.milestones.select_related("done_by"),
            "form": MilestoneForm(),
            "today": timezone.localdate(),
            "active": project.status == ProjectStatus.ACTIVE,
        },
    )


@page("projects")
@require_POST
def milestone_add(request, pk: int):
    project = get_object_or_404(projects.visible_projects(request.user), pk=pk)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("supervision:project", pk=pk)
    try:
        projects.add_milestone(project, actor=request.user, **form.cleaned_data)
    except LifecycleError as refused:
        messages.error(request, refused.message)
    return redirect("supervision:project", pk=pk)


@page("projects")
@require_POST
def milestone_done(request, pk: int, milestone: int):
    step = get_object_or_404(
        Milestone.objects.select_related("project"),
        pk=milestone,
        project__in=projects.visible_projects(request.user),
        project_id=pk,
    )
    try:
        projects.complete_milestone(step, actor=request.user, note=request.POST.get("note", ""))
    except LifecycleError as refused:
        messages.error(request, refused.message)
    return redirect("supervision:project", pk=pk)


@page("projects")
@require_POST
def project_close(request, pk: int):
    project = get_object_or_404(projects.visible_projects(request.user), pk=pk)
    try:
        projects.close_project(
            project, actor=request.user, status=request.POST.get("status", ProjectStatus.DONE)
        )
    except LifecycleError as refused:
        messages.error(request, refused.message)
    return redirect("supervision:project", pk=pk)
