"""The objects the doors address: for each, the one in scope and out of scope, the URL
parameters that name it (and name nothing, for the comparison with a missing object),
and who may see it — the expectation, stated apart from the code under test."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from civicgrid.accounts.models import Role, User
from civicgrid.cases import publication
from civicgrid.cases.models import Case, Status

from . import world as w
from .world import MISSING_NUMBER, MISSING_PK, World


@dataclass(frozen=True)
class Target:
    """The object a door addresses: which one is in and out of scope, and who sees it.

    ``pick(world, scope, role)`` gives the object; for most targets it is the same for
    both scopes (the caller's account makes the difference), for public ones the scope
    picks a published or a withheld object.
    """

    name: str
    pick: Callable[[World, str, str | None], Any]
    params: Callable[[Any, World], dict]
    missing: dict
    sees: Callable[[User | None, Any, World], bool]
    scopes: tuple[str, ...] = w.SCOPES


def _case_params(case: Case, world: World) -> dict:
    return {"number": case.number, "service_request_id": case.number}


def _everyone(user, obj, world) -> bool:
    return True


def case_at(status: str) -> Target:
    return Target(
        f"case {status}",
        lambda world, scope, role: world.cases[status],
        _case_params,
        {"number": MISSING_NUMBER},
        lambda user, case, world: w.sees_case(user, case),
    )


CASE = case_at(Status.DISPATCHED)
# A case passed down to grid 11: the grid worker's own moves start from it.
GRID_CASE = Target(
    "case held in a grid",
    lambda world, scope, role: world.grid_case,
    _case_params,
    {"number": MISSING_NUMBER},
    lambda user, case, world: w.sees_case(user, case),
)
# A co-handling unit's part of the dispatched case.
CO_PART = Target(
    "co-handling part",
    lambda world, scope, role: world.co_part,
    lambda part, world: {"pk": part.pk, "part_id": part.pk},
    {"pk": MISSING_PK, "part_id": MISSING_PK},
    lambda user, part, world: w.sees_case(user, part.case),
)
# A case handed over to mediation: its dispute waits for the acceptance check.
DISPUTE = Target(
    "dispute",
    lambda world, scope, role: world.dispute_case,
    _case_params,
    {"number": MISSING_NUMBER},
    lambda user, case, world: w.sees_case(user, case),
)

# A case with a petition waiting for the decision on acceptance, and one accepted.
PETITION = Target(
    "petition",
    lambda world, scope, role: world.petition_case,
    _case_params,
    {"number": MISSING_NUMBER},
    lambda user, case, world: w.sees_case(user, case),
)
ACCEPTED_PETITION = Target(
    "accepted petition",
    lambda world, scope, role: world.accepted_petition_case,
    _case_params,
    {"number": MISSING_NUMBER},
    lambda user, case, world: w.sees_case(user, case),
)


@dataclass(frozen=True)
class Nested:
    """A case's file, addressed through a case number (its own, or another's)."""

    case: Case
    file: Any


def _file(world: World, scope: str, role) -> Nested:
    return Nested(world.case, world.foreign_file if scope == w.FOREIGN else world.file)


FILE = Target(
    "file",
    _file,
    lambda nested, world: {
        "number": nested.case.number,
        "pk": nested.file.pk,
        "id": nested.file.pk,
        "attachment_id": nested.file.pk,
    },
    {"number": MISSING_NUMBER, "pk": MISSING_PK, "id": MISSING_PK, "attachment_id": MISSING_PK},
    lambda user, nested, world: (
        nested.file.case_id == nested.case.pk and w.sees_case(user, nested.case)
    ),
    scopes=(*w.SCOPES, w.FOREIGN),
)
SUMMONS = Target(
    "summons",
    lambda world, scope, role: world.summons,
    lambda summons, world: {"pk": summons.pk},
    {"pk": MISSING_PK},
    lambda user, summons, world: w.sees_case(user, summons.case),
)
ORDER = Target(
    "supervision order",
    lambda world, scope, role: world.order,
    lambda order, world: {"pk": order.pk, "order_id": order.pk},
    {"pk": MISSING_PK, "order_id": MISSING_PK},
    lambda user, order, world: w.sees_case(user, order.case),
)
INSPECTION_COPY = Target(
    "copy to discipline inspection",
    lambda world, scope, role: world.copy,
    lambda copy, world: {"pk": copy.pk},
    {"pk": MISSING_PK},
    lambda user, copy, world: w.sees_case(user, copy.case),
)
HOT_ISSUE = Target(
    "hot issue",
    lambda world, scope, role: world.hot_issue,
    lambda issue, world: {"key": issue.key},
    {"key": MISSING_NUMBER},
    lambda user, issue, world: w.covers_path(user, issue.region_path),
)
# Out of scope: the same role's in-scope account's notice, read by the other account.
NOTICE = Target(
    "notice",
    lambda world, scope, role: world.notices[world.users[(role or Role.OPERATOR, w.IN)].pk],
    lambda notice, world: {"pk": notice.pk},
    {"pk": MISSING_PK},
    lambda user, notice, world: notice.recipient_id == user.pk,
)
# An Excel export and a hot-issue batch are their author's: out of scope, the same role's
# in-scope account's, read by the other account (like a notice).
EXPORT = Target(
    "case export",
    lambda world, scope, role: world.exports[world.users[(role or Role.OPERATOR, w.IN)].pk],
    lambda job, world: {"pk": job.pk, "export_id": job.pk},
    {"pk": MISSING_PK, "export_id": MISSING_PK},
    lambda user, job, world: job.user_id == user.pk,
)
BATCH = Target(
    "hot-issue batch",
    lambda world, scope, role: world.batches[world.users[(role or Role.OPERATOR, w.IN)].pk],
    lambda batch, world: {"key": batch.issue_key, "pk": batch.pk},
    {"key": MISSING_NUMBER, "pk": MISSING_PK},
    lambda user, batch, world: batch.user_id == user.pk,
)
# The knowledge base is shared by all staff: nothing in it is scoped or personal.
ENTRY = Target(
    "knowledge entry",
    lambda world, scope, role: world.entry,
    lambda entry, world: {"pk": entry.pk, "entry_id": entry.pk},
    {"pk": MISSING_PK, "entry_id": MISSING_PK},
    _everyone,
)
PROPOSAL = Target(
    "proposal",
    lambda world, scope, role: world.proposal,
    lambda proposal, world: {"pk": proposal.pk},
    {"pk": MISSING_PK},
    _everyone,
)
# Public doors: in scope a citizen's published report; out of scope a report (举报), and
# a call to the hotline (private), which the public-output rule never lets out.
PUBLISHED = Target(
    "published case",
    lambda world, scope, role: {w.IN: world.citizen_case, w.PRIVATE: world.case}.get(
        scope, world.report
    ),
    _case_params,
    {"number": MISSING_NUMBER, "service_request_id": MISSING_NUMBER},
    lambda user, case, world: publication.is_published(case),
    scopes=(*w.SCOPES, w.PRIVATE),
)
# A tracking link is its own proof; a supporter's link follows the case but cannot rate.
TRACKING = Target(
    "tracking link",
    lambda world, scope, role: world.reporter_token if scope == w.IN else world.supporter_token,
    lambda token, world: {"token": token},
    {"token": "matrix-no-such-tracking-token-000"},
    _everyone,
)
PHOTO = Target(
    "citizen photo",
    lambda world, scope, role: world.photo if scope == w.IN else world.others_photo,
    lambda photo, world: {"token": world.reporter_token, "pk": photo.pk},
    {"pk": MISSING_PK},
    lambda user, photo, world: photo.case_id == world.citizen_case.pk,
)
OPEN311_TOKEN = Target(
    "Open311 token",
    lambda world, scope, role: world.open311_token,
    lambda token, world: {"token_id": token},
    {"token_id": "matrix-no-such-open311-token"},
    _everyone,
)
SERVICE = Target(
    "Open311 service",
    lambda world, scope, role: world.category,
    lambda category, world: {"service_code": category.code},
    {"service_code": "9999"},
    _everyone,
)
ALERT_SOURCE = Target(
    "alert source",
    lambda world, scope, role: world.alert_source,
    lambda source, world: {"slug": source.slug},
    {"slug": "no-such-source"},
    _everyone,
)

PROJECT = Target(
    "problem of the month",
    lambda world, scope, role: world.project,
    lambda project, world: {"pk": project.pk, "project_id": project.pk},
    {"pk": MISSING_PK, "project_id": MISSING_PK},
    lambda user, project, world: w.sees_project(user, project),
)
MILESTONE = Target(
    "milestone of a problem of the month",
    lambda world, scope, role: world.milestone,
    lambda step, world: {
        "pk": step.project_id,
        "project_id": step.project_id,
        "milestone": step.pk,
        "milestone_id": step.pk,
    },
    {
        "pk": MISSING_PK,
        "project_id": MISSING_PK,
        "milestone": MISSING_PK,
        "milestone_id": MISSING_PK,
    },
    lambda user, step, world: w.sees_project(user, step.project),
)


# Emergency command: an incident just reported, one responding, its task, a plan.
def _incident_params(incident, world: World) -> dict:
    return {"pk": incident.pk, "incident_id": incident.pk}


INCIDENT_MISSING = {"pk": MISSING_PK, "incident_id": MISSING_PK}
INCIDENT = Target(
    "incident",
    lambda world, scope, role: world.incident,
    _incident_params,
    INCIDENT_MISSING,
    lambda user, incident, world: w.sees_incident(user, incident),
)
RESPONDING = Target(
    "incident responding",
    lambda world, scope, role: world.responding,
    _incident_params,
    INCIDENT_MISSING,
    lambda user, incident, world: w.sees_incident(user, incident),
)
EMERGENCY_TASK = Target(
    "emergency task",
    lambda world, scope, role: world.task,
    lambda task, world: {"pk": task.pk, "task_id": task.pk},
    {"pk": MISSING_PK, "task_id": MISSING_PK},
    lambda user, task, world: w.sees_incident(user, task.incident),
)
DEPLOYMENT = Target(
    "team deployment",
    lambda world, scope, role: world.deployment,
    lambda deployment, world: {"deployment_id": deployment.pk},
    {"deployment_id": MISSING_PK},
    lambda user, deployment, world: w.sees_incident(user, deployment.incident),
)
# Plans are the command room's and the leaders' reading, wherever they serve.
PLAN = Target(
    "emergency plan",
    lambda world, scope, role: world.plan,
    lambda plan, world: {"pk": plan.pk, "code": plan.code},
    {"pk": MISSING_PK, "code": "no-such-plan"},
    lambda user, plan, world: w.the_grant(user).role in (Role.COMMANDER, Role.LEADER, Role.ADMIN),
)


def _pk(obj, world: World) -> dict:
    return {"pk": obj.pk}


HOUSEHOLD = Target(
    "household of concern",
    lambda world, scope, role: world.household,
    _pk,
    {"pk": MISSING_PK},
    lambda user, household, world: w.sees_grid(user, household.grid),
)
MUST_ATTEND = Target(
    "must-attend task",
    lambda world, scope, role: world.must_attend,
    _pk,
    {"pk": MISSING_PK},
    lambda user, task, world: w.sees_grid(user, task.grid),
)
CENTRE_TASK = Target(
    "centre task",
    lambda world, scope, role: world.centre_task,
    _pk,
    {"pk": MISSING_PK},
    lambda user, task, world: any(w.sees_grid(user, r.grid) for r in task.replies.all()),
)
OPEN_REPLY = Target(
    "centre task reply not yet sent",
    lambda world, scope, role: world.open_reply,
    lambda reply, world: {"task": reply.task_id, "pk": reply.pk},
    {"pk": MISSING_PK},
    lambda user, reply, world: any(w.sees_grid(user, r.grid) for r in reply.task.replies.all()),
)
# The same objects as the fieldwork API names them in its paths.
CENTRE_TASK_API = replace(
    CENTRE_TASK, params=lambda task, world: {"task_id": task.pk}, missing={"task_id": MISSING_PK}
)
OPEN_REPLY_API = replace(
    OPEN_REPLY,
    params=lambda reply, world: {"task_id": reply.task_id, "reply_id": reply.pk},
    missing={"reply_id": MISSING_PK},
)
MUST_ATTEND_API = replace(
    MUST_ATTEND, params=lambda task, world: {"task_id": task.pk}, missing={"task_id": MISSING_PK}
)
REPLY_PHOTO = Target(
    "centre task reply photo",
    lambda world, scope, role: world.reply_photo,
    _pk,
    {"pk": MISSING_PK},
    lambda user, photo, world: any(
        w.sees_grid(user, r.grid) for r in photo.reply.task.replies.all()
    ),
)


def sees_worker_file(user, worker, world) -> bool:
    """A grid worker's file: the community (leaders, dispatchers) serving their grid."""
    role = w.the_grant(user).role
    grids = [r.path for r in w.the_grant(worker).regions.all()]
    return role in (Role.LEADER, Role.DISPATCHER, Role.ADMIN) and any(
        w.covers_path(user, path) for path in grids
    )


TEAM_MEMBER = Target(
    "grid team member",
    lambda world, scope, role: world.team_member,
    _pk,
    {"pk": MISSING_PK},
    lambda user, member, world: w.sees_grid(user, member.grid),
)
WORKER_FILE = Target(
    "grid worker's file",
    lambda world, scope, role: world.users[(Role.GRID_WORKER, w.IN)],
    _pk,
    {"pk": MISSING_PK},
    sees_worker_file,
)
COUNCIL = Target(
    "grid council",
    lambda world, scope, role: world.council_task.council,
    _pk,
    {"pk": MISSING_PK},
    lambda user, council, world: w.sees_grid(user, council.grid),
)
COUNCIL_TASK = Target(
    "grid council follow-up",
    lambda world, scope, role: world.council_task,
    _pk,
    {"pk": MISSING_PK},
    lambda user, task, world: w.sees_grid(user, task.council.grid),
)


# Warnings: a sent one is read by the command room, leaders and unit staff (every scope:
# a warning is the whole area's); a draft only by the command room.
WARNING_READERS = (Role.COMMANDER, Role.LEADER, Role.HANDLER, Role.ADMIN)
WARNING = Target(
    "warning in force",
    lambda world, scope, role: world.warning,
    lambda warning, world: {"pk": warning.pk, "warning_id": warning.pk},
    {"pk": MISSING_PK, "warning_id": MISSING_PK},
    lambda user, warning, world: w.the_grant(user).role in WARNING_READERS,
)
WARNING_DRAFT = Target(
    "warning draft",
    lambda world, scope, role: world.warning_draft,
    lambda warning, world: {"pk": warning.pk, "warning_id": warning.pk},
    {"pk": MISSING_PK, "warning_id": MISSING_PK},
    lambda user, warning, world: w.the_grant(user).role in (Role.COMMANDER, Role.ADMIN),
)
# An expert is found by any reader of the incident pages; the phone is the command room's.
EXPERT = Target(
    "emergency expert",
    lambda world, scope, role: world.expert,
    lambda expert, world: {"pk": expert.pk},
    {"pk": MISSING_PK},
    _everyone,
)


def _keeps(user, warehouse, world) -> bool:
    grant = w.the_grant(user)
    if grant.role in (Role.COMMANDER, Role.ADMIN):
        return True
    return grant.role == Role.HANDLER and grant.department_id == warehouse.unit_id


# A warehouse is its unit's handlers' (the keepers) and the command room's.
KEPT_WAREHOUSE = Target(
    "warehouse kept by the bureau",
    lambda world, scope, role: world.warehouse,
    lambda warehouse, world: {"pk": warehouse.pk, "warehouse_id": warehouse.pk},
    {"pk": MISSING_PK, "warehouse_id": MISSING_PK},
    _keeps,
)
