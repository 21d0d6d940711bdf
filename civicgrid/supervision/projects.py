"""Problems of the month (未诉先办): create one, add milestones, mark them done, close it.

Each change is a service taking ``*, actor`` in a transaction; only the centre (a
dispatcher or a leader) changes projects, the owner unit's handlers mark milestones done.
Marking done is a conditional update, so two clicks record it once.
"""

from datetime import date
from typing import cast

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role, User
from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.cases.scope import region_paths
from civicgrid.regions.models import Region
from civicgrid.routing.models import Department

from .models import Milestone, Project, ProjectQuerySet, ProjectStatus

CENTRE = (Role.DISPATCHER, Role.LEADER, Role.ADMIN)


def visible_projects(user: User) -> ProjectQuerySet:
    """The projects ``user`` sees: in their regions, or owned by one of their units."""
    projects = cast(ProjectQuerySet, Project.objects.all())
    if user.is_superuser or user.has_role(Role.ADMIN):
        return projects
    query = Q(owner_id__in=user.department_ids)
    for path in region_paths(user):
        query |= Q(region__path__startswith=path)
    return projects.filter(query)


def may_complete(actor: User, project: Project) -> bool:
    """The centre, or a handler of the owner unit, marks milestones done."""
    if actor.is_superuser or actor.has_role(*CENTRE):
        return True
    return actor.has_role(Role.HANDLER) and project.owner_id in actor.department_ids


def _centre(actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(*CENTRE)):
        raise ActionRefused(_("Only the centre manages the problems of the month."))


def _title(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidAction(_("Give a title."), "title")
    return value[:200]


def create_project(
    *,
    actor: User,
    title: str,
    owner: Department,
    region: Region,
    due_on: date,
    source: str = "",
    description: str = "",
) -> Project:
    """Take on a problem for this month, owned by ``owner``, in ``region``."""
    _centre(actor)
    today = timezone.localdate()
    if due_on < today:
        raise InvalidAction(_("The due day is in the past."), "due_on")
    with transaction.atomic():
        return Project.objects.create(
            title=_title(title),
            owner=owner,
            region=region,
            due_on=due_on,
            month=today.replace(day=1),
            source=(source or "").strip()[:200],
            description=(description or "").strip(),
            created_by=actor,
        )


def add_milestone(project: Project, *, actor: User, title: str, due_on: date) -> Milestone:
    """A new step of ``project``, due on ``due_on`` (not after the project's own due day)."""
    _centre(actor)
    if project.status != ProjectStatus.ACTIVE:
        raise InvalidAction(_("The project is closed."), "title")
    if due_on > project.due_on:
        raise InvalidAction(_("A milestone cannot be due after its project."), "due_on")
    with transaction.atomic():
        return Milestone.objects.create(project=project, title=_title(title), due_on=due_on)


def complete_milestone(milestone: Milestone, *, actor: User, note: str = "") -> bool:
    """Mark ``milestone`` done; False if it already was (nothing changes)."""
    if not may_complete(actor, milestone.project):
        raise ActionRefused(_("Only the centre or the owner unit marks milestones done."))
    with transaction.atomic():
        changed = Milestone.objects.filter(pk=milestone.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=actor, note=(note or "").strip()[:2000]
        )
    milestone.refresh_from_db()
    return bool(changed)


def close_project(project: Project, *, actor: User, status: str = ProjectStatus.DONE) -> bool:
    """End ``project`` as done or cancelled; False if it was closed already."""
    _centre(actor)
    if status not in (ProjectStatus.DONE, ProjectStatus.CANCELLED):
        raise InvalidAction(_("Choose done or cancelled."), "status")
    with transaction.atomic():
        changed = Project.objects.filter(pk=project.pk, status=ProjectStatus.ACTIVE).update(
            status=status, closed_at=timezone.now()
        )
    project.refresh_from_db()
    return bool(changed)
