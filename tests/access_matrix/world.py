"""The world the access matrix runs in, and the rule that says who sees what in it.

Built once per run (inside a transaction rolled back at the end; each request of the
matrix is rolled back on its own, so an action that succeeds leaves the next request the
same world). Every object lies in grid 1-1 of the test district, belongs to the bureau
the routing rule names, and was registered by the district's operator.

Every role gets two accounts: one whose scope covers those objects (``IN``) and one of
the same role scoped to the neighbouring district, its grids or its bureau (``OUT``).
Which part of the city a role covers is ``ROLE_REACH``: one line per role.
"""

import io
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from civicgrid.accounts.models import ApiToken, Integration, Role, User
from civicgrid.alerts.models import AlertSource, SourceKind
from civicgrid.cases import exports, lifecycle, services
from civicgrid.cases.lifecycle import TRANSITIONS, Action
from civicgrid.cases.models import Attachment, Case, CaseExport, Channel, Status
from civicgrid.cases.schemas import PERSON_ACTIONS
from civicgrid.cases.tests import factories as f
from civicgrid.centres.models import CoPart, DutyMode, Stationing
from civicgrid.citizens import services as citizens
from civicgrid.duplicates.models import HotIssue, HotIssueBatch, HotIssueCase
from civicgrid.emergency import plans as emergency_plans
from civicgrid.emergency import resourcing as emergency_resourcing
from civicgrid.emergency import response as emergency_response
from civicgrid.emergency import services as emergency
from civicgrid.emergency import warning_flow
from civicgrid.emergency.models import Incident, Plan, Task
from civicgrid.emergency.resources import Deployment, Expert, Item, Stock, Team, Warehouse
from civicgrid.emergency.warning import Warning
from civicgrid.fieldwork import services as fieldwork
from civicgrid.fieldwork.models import (
    CentreTask,
    CouncilTask,
    Household,
    MustAttend,
    ReplyPhoto,
    TaskReply,
    TeamMember,
)
from civicgrid.gridwork import services as gridwork
from civicgrid.gridwork.models import Summons
from civicgrid.knowledge import services as knowledge
from civicgrid.knowledge.models import Entry, Proposal
from civicgrid.mediation import services as mediation
from civicgrid.notifications.models import Notification
from civicgrid.open311.models import ClientSystem, ServiceRequest
from civicgrid.petitions import services as petitions
from civicgrid.routing.models import Department, RequestType
from civicgrid.supervision import projects as supervision_projects
from civicgrid.supervision import services as supervision
from civicgrid.supervision.models import Copy, CopyReason, Level, Milestone, Order, Project

IN, OUT = "in", "out"
# A nested object (a case's file) of a case out of scope, addressed through a case in
# scope, by the in-scope account: it must not exist either.
FOREIGN = "foreign"
# A public door asked for a case that is not published: a call to the hotline.
PRIVATE = "private"
SCOPES = (IN, OUT)


class Reach(Enum):
    """The part of the city an account covers, hence the cases it sees (and may act on)."""

    REGIONS = "a region subtree: the district (out: the neighbouring district)"
    GRIDS = "grids: two of the district (out: two of the neighbouring district)"
    DEPARTMENT = "a department's cases: the bureau (out: the neighbouring bureau)"
    EVERYTHING = "every case, whatever scope the account is given"
    OWN = "only the cases it registered itself (none of the world's)"


# The expectation rule of each role. A role added to accounts.Role without a line here
# fails test_every_role_has_an_expectation_rule: add the line, and the matrix runs it.
ROLE_REACH: dict[str, Reach] = {
    Role.OPERATOR: Reach.REGIONS,
    Role.DISPATCHER: Reach.REGIONS,
    Role.HANDLER: Reach.DEPARTMENT,
    Role.GRID_WORKER: Reach.GRIDS,
    Role.LEADER: Reach.REGIONS,
    Role.MEDIATOR: Reach.REGIONS,
    Role.ADMIN: Reach.EVERYTHING,
    Role.INTEGRATION: Reach.OWN,
    # A discipline inspector watches a unit: its grant's department.
    Role.INSPECTOR: Reach.DEPARTMENT,
    # The emergency command room commands a district (its incidents' cases by grant).
    Role.COMMANDER: Reach.REGIONS,
    # An assessment officer reads the figures of a region subtree (its cases as a leader).
    Role.ASSESSOR: Reach.REGIONS,
    # A court liaison reads what the court sent to the centre in a region subtree.
    Role.COURT_LIAISON: Reach.REGIONS,
}
ROLES = [role for role in Role.values if role in ROLE_REACH]

MISSING_NUMBER = "20000101-99999"
MISSING_PK = 987654321


def png(name: str = "photo.png") -> SimpleUploadedFile:
    """A real (tiny) image, so any content check that reads the bytes accepts it."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), "red").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")


@dataclass
class World:
    """Everything the doors address, and the accounts that knock."""

    district: dict
    neighbour: dict
    bureau: Department
    other_bureau: Department
    category: object
    users: dict[tuple[str, str], User] = field(default_factory=dict)
    tokens: dict[int, str] = field(default_factory=dict)  # API token of each user
    sessions: dict[int, str] = field(default_factory=dict)  # session key of each user
    # One case per status of the loop, reached through the lifecycle as staff would.
    cases: dict[str, Case] = field(default_factory=dict)
    merge_target: Case | None = None
    file: Attachment | None = None
    foreign_file: Attachment | None = None  # of a case in the neighbouring district
    summons: Summons | None = None
    # An urging order to the bureau on the dispatched case; the rated case (the citizen
    # satisfied: it may be signed off) copied to discipline inspection.
    order: Order | None = None
    copy: Copy | None = None
    hot_issue: HotIssue | None = None
    notices: dict[int, Notification] = field(default_factory=dict)
    # Each IN account's own Excel export and hot-issue batch (only theirs to read).
    exports: dict[int, CaseExport] = field(default_factory=dict)
    batches: dict[int, HotIssueBatch] = field(default_factory=dict)
    entry: Entry | None = None
    proposal: Proposal | None = None
    # The public side: a citizen's report (published) and a whistle-blower's (never).
    citizen_case: Case | None = None
    reporter_token: str = ""
    supporter_token: str = ""
    photo: Attachment | None = None
    others_photo: Attachment | None = None
    report: Case | None = None
    open311_token: str = ""
    alert_source: AlertSource | None = None
    # A case handed over to mediation, its dispute waiting for the acceptance check.
    dispute_case: Case | None = None
    # A petition waiting for the decision on acceptance, and an accepted one.
    petition_case: Case | None = None
    accepted_petition_case: Case | None = None
    # A case passed down district → street → community → grid 11 (docs/centres.md); a
    # unit on duty in the district centre; a co-handling part of the dispatched case.
    grid_case: Case | None = None
    stationing: Stationing | None = None
    co_part: CoPart | None = None
    # A problem of the month in street 1 owned by the bureau, with one open milestone.
    project: Project | None = None
    milestone: Milestone | None = None
    # Emergency command: a plan whose steps are the bureau's, an incident just reported
    # (the bureau leads it) and one responding at level IV (the bureau's task open).
    plan: Plan | None = None
    incident: Incident | None = None
    responding: Incident | None = None
    task: Task | None = None
    # Resources: a team (no unit: the command room moves it), sandbags in a warehouse,
    # the team sent to the responding incident.
    team: Team | None = None
    warehouse: Warehouse | None = None
    deployment: Deployment | None = None
    # Warnings: one sent (in force) and one draft by another commander; an expert.
    warning: Warning | None = None
    warning_draft: Warning | None = None
    expert: Expert | None = None
    # Field work in grid 1-1: a household of concern, a must-attend task on the dispatched
    # case, a centre task with grid 1-1's reply and its photo.
    household: Household | None = None
    must_attend: MustAttend | None = None
    centre_task: CentreTask | None = None
    reply_photo: ReplyPhoto | None = None
    open_reply: TaskReply | None = None  # grid 1-1's share of a second task, not answered
    # The community's pages: a roster line and a council with a follow-up, in grid 1-1.
    team_member: TeamMember | None = None
    council_task: CouncilTask | None = None

    def user(self, role: str | None, scope: str) -> User | None:
        if role is None:
            return None
        return self.users[(role, IN if scope in (FOREIGN, PRIVATE) else scope)]

    @property
    def builder(self) -> User:
        """Who drives the world's cases through the loop: an administrator may do it all."""
        return self.users[(Role.ADMIN, IN)]

    @property
    def operator(self) -> User:
        return self.users[(Role.OPERATOR, IN)]

    @property
    def case(self) -> Case:
        """The case the read doors address: dispatched, so every role's IN account sees it."""
        return self.cases[Status.DISPATCHED]


# --- who sees what (the expectation, stated apart from the code under test) ----------


def the_grant(user: User):
    """The one role grant every account of the matrix holds."""
    (grant,) = user.grants.prefetch_related("regions")
    return grant


def _paths(user: User) -> list[str]:
    return [region.path for region in the_grant(user).regions.all()]


def departments_of(case: Case) -> set[int]:
    """The departments a case is with: main, co-handling, summoned (吹哨)."""
    ids = {case.main_department_id, *case.co_departments.values_list("pk", flat=True)}
    ids |= set(Summons.objects.filter(case=case).values_list("department_id", flat=True))
    return ids - {None}


def covers_path(user: User, path: str) -> bool:
    reach = ROLE_REACH[the_grant(user).role]
    if reach is Reach.EVERYTHING:
        return True
    return bool(path) and any(path.startswith(mine) for mine in _paths(user))


def sees_case(user: User, case: Case) -> bool:
    """Whether the reach of ``user``'s role covers ``case`` (its own reports always)."""
    if case.created_by_id == user.pk:
        return True
    grant = the_grant(user)
    reach = ROLE_REACH[grant.role]
    if reach is Reach.DEPARTMENT:
        return grant.department_id in departments_of(case)
    if reach is Reach.OWN:
        return False
    owner = case.owner_region.path if case.owner_region_id else ""
    return covers_path(user, case.region_path) or covers_path(user, owner)


def sees_incident(user: User, incident: Incident) -> bool:
    """The command room and leaders covering its case; a department's staff when the
    department leads it, helps or has a task on it."""
    grant = the_grant(user)
    reach = ROLE_REACH[grant.role]
    if reach is Reach.EVERYTHING:
        return True
    if grant.role in (Role.COMMANDER, Role.LEADER):
        return sees_case(user, incident.case)
    if grant.role == Role.HANDLER:
        units = {incident.lead_unit_id, *incident.tasks.values_list("unit_id", flat=True)}
        return grant.department_id in units
    return False


# --- what each action needs -------------------------------------------------------------


def action_input(action: str, world: World) -> dict | None:
    """The note and fields a successful ``action`` takes (departments as objects);
    None for an action the matrix does not know yet."""
    lng, lat = f.point_in(world.district["grid12"])
    inputs = {
        Action.ANSWER_DIRECTLY: {"answer": "已电话答复：路灯由城管局路灯所维修。"},
        Action.REFER: {"kind": "outside_duty", "note": "不属于政府职责，已向来电人解释。"},
        Action.MERGE: {"into": world.merge_target.number, "note": "重复件"},
        Action.PLACE: {"lng": lng, "lat": lat, "datum": "wgs84"},
        Action.DISPATCH: {"main_department": world.bureau, "note": "请尽快处理"},
        Action.ESCALATE: {"to": "parent", "note": "需要上级协调"},
        Action.ACKNOWLEDGE: {},
        Action.RETURN: {"note": "不属于本部门职责"},
        Action.ACCEPT_RETURN: {},
        Action.OVERRULE_RETURN: {"note": "权责清单明确由本部门负责"},
        Action.WITHDRAW: {"note": "派错单位，重新研判"},
        Action.SEND_BACK: {"note": "属地问题，由区中心处理"},
        Action.REASSIGN: {"main_department": world.other_bureau, "note": "改派至责任单位"},
        Action.REQUEST_EXTENSION: {"days": 3, "note": "需要采购配件"},
        Action.APPROVE_EXTENSION: {},
        Action.REFUSE_EXTENSION: {"note": "期限足够"},
        Action.REPLY: {"reply": "路灯已修复，恢复照明。"},
        Action.VERIFY_PASS: {},
        Action.VERIFY_FAIL: {"note": "现场路灯仍不亮"},
        Action.CALLBACK: {"rating": "satisfied"},
        Action.CLOSE: {},
        Action.REOPEN: {"note": "市民反映问题仍在"},
        Action.URGE: {"note": "请加快办理"},
        Action.PASS_DOWN: {"note": "请街道先处理"},
        Action.SOLVE_IN_GRID: {"reply": "网格员已上门修好路灯。"},
        Action.RAISE_FROM_GRID: {"note": "需要社区协调物业"},
    }
    return dict(inputs[action]) if action in inputs else None


GRID_MOVES = (Action.SOLVE_IN_GRID, Action.RAISE_FROM_GRID)


def from_status(action: str) -> str:
    """The first status (in the table's order) the action can be taken from."""
    return next(status for (status, act) in TRANSITIONS if act == action)


def paths_to_statuses() -> dict[str, list[str]]:
    """The shortest run of person actions from registration to each status."""
    paths: dict[str, list[str]] = {Status.REGISTERED: []}
    queue = deque([Status.REGISTERED])
    while queue:
        status = queue.popleft()
        for (old, action), new in TRANSITIONS.items():
            # The grid's own moves start from a case passed down to a grid (``grid_case``).
            person = action in PERSON_ACTIONS and action not in GRID_MOVES
            if old == status and new not in paths and person:
                paths[new] = [*paths[status], action]
                queue.append(new)
    return paths


def drive(world: World, case: Case, actions: list[str]) -> Case:
    for action in actions:
        data = action_input(action, world) or {}
        note = data.pop("note", "")
        lifecycle.apply(case, action, actor=world.builder, note=note, **data)
        case.refresh_from_db()
    return case


# --- building it --------------------------------------------------------------------------


def _scope_of(reach: Reach, scope: str, world: World) -> dict:
    place = world.district if scope == IN else world.neighbour
    if reach is Reach.REGIONS:
        return {"regions": [place["district"]]}
    if reach is Reach.GRIDS:
        return {"regions": [place["grid11"], place["grid12"]]}
    if reach is Reach.DEPARTMENT:
        return {"department": world.bureau if scope == IN else world.other_bureau}
    if reach is Reach.EVERYTHING and scope == OUT:
        return {"regions": [world.neighbour["district"]]}
    return {}


def _accounts(world: World) -> None:
    for role in ROLES:
        for scope in SCOPES:
            scoped = _scope_of(ROLE_REACH[role], scope, world)
            if role == Role.INTEGRATION:
                # Another system's account (here 110's): it has no scope but its own cases.
                user = f.make_integration_account(
                    Integration.POLICE_110, username=f"{role}-{scope}", **scoped
                )
            else:
                user = f.make_user(role, username=f"{role}-{scope}", **scoped)
            world.users[(role, scope)] = user
            world.tokens[user.pk] = ApiToken.issue(user, "access matrix")[1]


def _new_case(world: World, **overrides) -> Case:
    return f.make_case(
        actor=world.operator, grid=world.district["grid11"], category=world.category, **overrides
    )


def _cases(world: World) -> None:
    world.merge_target = _new_case(world, title="路灯不亮（另一位来电人）")
    needed = {Status.DISPATCHED, *(from_status(action) for action in PERSON_ACTIONS)}
    paths = paths_to_statuses()
    for status in sorted(needed):
        world.cases[status] = drive(world, _new_case(world), paths[status])
    world.file = services.add_file(world.case, png("现场.png"), actor=world.builder)
    theirs = f.make_case(
        actor=world.users[(Role.OPERATOR, OUT)],
        grid=world.neighbour["grid11"],
        category=world.category,
    )
    world.foreign_file = services.add_file(theirs, png("邻区现场.png"), actor=world.builder)
    world.summons = gridwork.whistle(
        world.case,
        [world.bureau],
        actor=world.users[(Role.GRID_WORKER, IN)],
        reason="需要城管到场",
    )[0]
    world.order = supervision.issue(
        world.case, world.bureau, Level.URGING, actor=world.builder, reason="请尽快处理"
    )
    world.copy = Copy.objects.create(
        case=world.cases[Status.RATED], reason=CopyReason.LISTED, department=world.bureau
    )


def _hot_issue(world: World) -> None:
    now = timezone.now()
    street = world.district["street1"]
    world.hot_issue = HotIssue.objects.create(
        key=world.case.number,
        title="路灯不亮",
        representative=world.case,
        category=world.category,
        region=street,
        region_path=street.path,
        reports=3,
        reporters=3,
        supporters=0,
        open_cases=1,
        reports_this_week=3,
        reports_last_week=0,
        heat=2.5,
        first_seen=now - timedelta(days=2),
        last_seen=now,
        computed_at=now,
    )
    HotIssueCase.objects.create(hot_issue=world.hot_issue, case=world.case)


def _project(world: World) -> None:
    due = timezone.localdate() + timedelta(days=30)
    world.project = supervision_projects.create_project(
        actor=world.builder,
        title="老旧小区停车难",
        owner=world.bureau,
        region=world.district["street1"],
        due_on=due,
    )
    world.milestone = supervision_projects.add_milestone(
        world.project, actor=world.builder, title="摸排车位", due_on=due
    )


def sees_project(user: User, project: Project) -> bool:
    """In the account's regions, or owned by its department."""
    grant = the_grant(user)
    if ROLE_REACH[grant.role] is Reach.DEPARTMENT:
        return grant.department_id == project.owner_id
    return covers_path(user, project.region.path)


def _notices(world: World) -> None:
    event = world.case.events.order_by("-at", "-id").first()
    for role in ROLES:
        user = world.users[(role, IN)]
        world.notices[user.pk] = Notification.objects.create(
            recipient=user, case=world.case, event=event, message="派单通知"
        )


def _own_records(world: World) -> None:
    for role in ROLES:
        user = world.users[(role, IN)]
        world.exports[user.pk] = exports.start(user, "cases", {})
        world.batches[user.pk] = HotIssueBatch.objects.create(
            user=user,
            key=f"matrix-batch-{user.pk}",
            issue_key=world.hot_issue.key,
            action=HotIssueBatch.Action.URGE,
            reason="催办",
            asked=1,
            done=[world.case.number],
        )


def _knowledge(world: World) -> None:
    world.entry = knowledge.create_entry(
        actor=world.builder,
        question="小区门口路灯不亮找哪个部门",
        answer="道路路灯由城市管理局路灯所维护。",
        keywords="",
    )
    world.proposal = knowledge.propose(
        actor=world.users[(Role.HANDLER, IN)],
        entry=world.entry,
        note="补充联系电话",
        question=world.entry.question,
        answer="道路路灯由城市管理局路灯所维护，电话 12319。",
        valid_from=world.entry.valid_from,
    )


def _citizen_report(world: World, key: str, phone: str) -> citizens.Filed:
    lng, lat = f.point_in(world.district["grid11"])
    report = citizens.Report(
        description="小区北门路灯坏了三天，晚上很黑",
        phone=phone,
        category=world.category,
        lng=lng,
        lat=lat,
    )
    return citizens.file_report(report, photos=[jpeg()], key=key)


def _public_side(world: World) -> None:
    filed = _citizen_report(world, "matrix-citizen-report-1", "13900001111")
    world.reporter_token = filed.token
    world.citizen_case = drive(world, filed.case, paths_to_statuses()[Status.VERIFIED])
    world.photo = world.citizen_case.attachments.get()
    world.supporter_token = citizens.join_case(
        world.citizen_case, phone="13900002222", key="matrix-citizen-join-1"
    ).token
    other = _citizen_report(world, "matrix-citizen-report-2", "13900003333")
    world.others_photo = other.case.attachments.get()
    world.report = _new_case(
        world, request_type=RequestType.REPORT, title="举报某单位违规", content="举报内容"
    )
    client = ClientSystem(
        name="市民APP",
        user=f.make_integration_account(
            Integration.OPEN311, regions=[world.district["district"]], username="open311-app"
        ),
    )
    client.set_key("o311_matrix-key-of-the-citizen-app")
    client.save()
    app_case = _new_case(world, channel=Channel.OPEN311, title="路面坑洼")
    world.open311_token = "matrix-open311-token-1"
    ServiceRequest.objects.create(case=app_case, client=client, token=world.open311_token)
    world.alert_source = AlertSource.objects.create(
        name="水位监测",
        slug="flood-gauges",
        kind=SourceKind.FLOOD,
        region=world.district["district"],
    )


def _mediation(world: World) -> None:
    world.dispute_case = _new_case(world, title="邻里围墙纠纷")
    mediation.hand_over(
        world.dispute_case,
        actor=world.builder,
        type_code="0201",
        source="hotline",
        parties=[mediation.PartyInput("applicant", "赵大明", "13900001111")],
    )


def _petitions(world: World) -> None:
    def petition(case: Case, phone: str):
        data = petitions.PetitionInput(
            form="visit",
            petitioner_name="王五",
            petitioner_phone=phone,
            matter="工地夜间施工噪音扰民，请求停止夜间施工。",
            addressed_to="district",
            received_on=timezone.localdate(),
            receiving_office="矛调中心信访窗口",
        )
        return petitions.register(case, data, actor=world.builder)

    world.petition_case = _new_case(world, title="夜间施工信访")
    petition(world.petition_case, "13900005555")
    world.accepted_petition_case = _new_case(world, title="欠薪信访")
    petitions.accept(petition(world.accepted_petition_case, "13900006666"), actor=world.builder)


def _centres(world: World) -> None:
    case = _new_case(world, title="楼道灯不亮")
    world.grid_case = drive(world, case, [Action.PASS_DOWN] * 3)
    world.stationing = Stationing.objects.create(
        centre=world.district["district"],
        department=world.bureau,
        mode=DutyMode.PERMANENT,
        starts_on=timezone.localdate() - timedelta(days=1),
    )
    world.co_part = CoPart.objects.create(
        case=world.case, department=world.bureau, due_at=timezone.now() + timedelta(days=3)
    )


def _emergency(world: World) -> None:
    commander = world.users[(Role.COMMANDER, IN)]
    code = world.bureau.code
    world.plan = emergency_plans.import_plan(
        {
            "code": "matrix-flood",
            "name": "防汛预案",
            "types": ["101"],
            "levels": [{"level": "IV"}, {"level": "III"}],
            "steps": [
                {
                    "key": "patrol",
                    "owner": code,
                    "measure": "巡查",
                    "time_limit_minutes": 30,
                    "levels": ["IV", "III"],
                },
                {
                    "key": "pump",
                    "owner": code,
                    "measure": "排水",
                    "time_limit_minutes": 60,
                    "levels": ["III"],
                },
            ],
        },
        actor=commander,
    )
    lng, lat = f.point_in(world.district["grid11"])
    place = {"type_code": "101", "severity": "general", "lng": lng, "lat": lat}
    world.incident = emergency.open_incident(
        actor=commander, title="低洼路段积水", lead_unit=world.bureau, **place
    )
    world.responding = emergency.open_incident(actor=commander, title="河道水位超警戒", **place)
    emergency_response.start_plan(world.responding, world.plan, 4, actor=commander)
    world.task = world.responding.tasks.get(key="patrol")
    near = {"lng": lng + 0.01, "lat": lat}
    world.team = Team.objects.create(name="防汛抢险队", skills=["flood"], size=50, **near)
    sent = Team.objects.create(name="排涝队", skills=["flood"], size=30, **near)
    world.deployment = emergency_resourcing.deploy(world.responding, sent, actor=commander)
    # The bureau keeps the warehouse (its handlers record receipts).
    world.warehouse = Warehouse.objects.create(name="区防汛仓库", unit=world.bureau, **near)
    sandbags = Item.objects.create(code="03010101", name="沙袋", unit_of_measure="条")
    Stock.objects.create(warehouse=world.warehouse, item=sandbags, quantity=100)
    world.expert = Expert.objects.create(
        name="王工", field="水利", phone="13800001234", lng=lng, lat=lat + 0.01
    )
    # A warning in force (no incident: every command room and reader sees it), and a
    # draft by a commander outside the matrix's accounts (so any commander approves it).
    drafter = f.make_user(Role.COMMANDER, regions=[world.district["district"]], username="drafter")
    warning = {
        "level": "yellow",
        "event": "暴雨",
        "headline": "暴雨黄色预警",
        "area_desc": "测试区",
        "lng": lng,
        "lat": lat,
        "radius_m": 3000,
        "expires": timezone.now() + timedelta(days=2),
    }
    world.warning = warning_flow.approve(
        warning_flow.draft(actor=drafter, **warning), actor=commander
    )
    world.warning_draft = warning_flow.draft(
        actor=drafter, **{**warning, "headline": "大风蓝色预警", "level": "blue"}
    )


FIELD_ROLES = (Role.GRID_WORKER, Role.LEADER, Role.DISPATCHER, Role.ADMIN)


def sees_grid(user: User, grid) -> bool:
    """Field work (households, visits, tasks) is seen by the grid's team and community."""
    return the_grant(user).role in FIELD_ROLES and covers_path(user, grid.path)


def _fieldwork(world: World) -> None:
    grid = world.district["grid11"]
    worker = world.users[(Role.GRID_WORKER, IN)]
    world.household = fieldwork.add_household(
        grid,
        actor=worker,
        label="3-2-401",
        category="elderly_alone",
        consent_on=timezone.localdate(),
        contact_name="李秀英",
        contact_phone="13912345678",
    )
    world.must_attend = MustAttend.objects.create(
        case=world.case, grid=grid, due_at=timezone.now() + timedelta(minutes=30)
    )
    world.centre_task = fieldwork.send_task(
        [grid, world.district["grid12"]], actor=world.builder, title="排查易涝地下室"
    )
    reply = world.centre_task.replies.get(grid=grid)
    fieldwork.reply_task(reply, actor=worker, result="已排查", files=[png("地下室.png")])
    world.reply_photo = reply.photos.get()
    world.open_reply = fieldwork.send_task(
        [grid], actor=world.builder, title="检查消防通道"
    ).replies.get()
    world.team_member = TeamMember.objects.create(
        grid=grid, name="王警官", role="specialist", speciality="社区民警"
    )
    council = fieldwork.hold_council(
        grid,
        actor=world.builder,
        topic="小区停车难",
        meeting_on=timezone.localdate(),
        decision="划定临时停车位",
        tasks=["物业施划车位"],
    )
    world.council_task = council.tasks.get()


def build() -> World:
    category = f.make_category("市容环境", code="01")
    bureau = f.make_department("城市管理局", code="CGJ")
    f.make_rule(category, bureau)
    world = World(
        district=f.make_district(),
        neighbour=f.make_district(prefix="3798", name="邻区"),
        bureau=bureau,
        other_bureau=f.make_department("邻区城市管理局", code="LQCGJ"),
        category=category,
    )
    _accounts(world)
    _cases(world)
    _hot_issue(world)
    _notices(world)
    _own_records(world)
    _knowledge(world)
    _public_side(world)
    _mediation(world)
    _petitions(world)
    _centres(world)
    _project(world)
    _emergency(world)
    _fieldwork(world)
    return world
