"""The doors: every object endpoint of the URL map, with the object it addresses, the rule
that grants it (from the permission tables) and what a caller notices when it works.

A new object endpoint needs a row here (``test_every_object_endpoint_has_a_row_in_the_
matrix`` names it): the method, the URL as the map spells it, the kind of door and the
target (targets.py); then, where the door has them, the page guard, the grant, the input
and the check of what works (rules.py). A read of a case in scope is one line:
``Door("GET", "/api/cases/{number}/attachments/{attachment_id}", Kind.API, FILE)``.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.cases.lifecycle import PERMISSIONS, Action
from civicgrid.cases.models import Case, Status
from civicgrid.cases.schemas import PERSON_ACTIONS
from civicgrid.cases.scope import ScopeRule
from civicgrid.centres import services as centres
from civicgrid.centres.models import CoPart, DutySummons
from civicgrid.core.models import PersonalDataRead
from civicgrid.duplicates import batch
from civicgrid.duplicates.models import HotIssueBatch
from civicgrid.emergency import resourcing as emergency_resourcing
from civicgrid.emergency import response as emergency_response
from civicgrid.emergency import services as emergency
from civicgrid.emergency import warning_flow
from civicgrid.emergency.models import Incident, Report, Task
from civicgrid.emergency.resources import Stock
from civicgrid.emergency.warning import Warning
from civicgrid.fieldwork import scope as field_scope
from civicgrid.fieldwork import services as field_services
from civicgrid.fieldwork.models import (
    CouncilTask,
    MustAttend,
    PointEntry,
    TeamMember,
    Visit,
    WorkerRecord,
)
from civicgrid.gridwork.models import Summons
from civicgrid.gridwork.services import WHISTLE_ROLES, may_report_in
from civicgrid.knowledge import services as knowledge
from civicgrid.knowledge.models import Proposal, ProposalStatus
from civicgrid.mediation import services as mediation
from civicgrid.mediation.models import Dispute, Party
from civicgrid.mediation.records import PublicationConsent
from civicgrid.notifications.models import Notification
from civicgrid.petitions import services as petitions
from civicgrid.petitions.models import Petition
from civicgrid.supervision import accountability
from civicgrid.supervision import projects as supervision_projects
from civicgrid.supervision import services as supervision
from civicgrid.supervision.models import (
    Copy,
    Inspection,
    Milestone,
    Order,
    OrderStatus,
    Project,
    ProjectStatus,
    Review,
    SiteVisit,
)

from . import world as w
from .rules import (
    NEW_ANSWER,
    Call,
    allowed_if,
    answered,
    api_body,
    citizen_join_form,
    contact_shown,
    file_served,
    intake_form,
    json_answer,
    may_rate,
    may_register_and_merge,
    may_reveal,
    moved,
    page_form,
    rated,
    redirected_and,
    shows,
    supporter_added,
    table_rule,
)
from .targets import (
    ACCEPTED_PETITION,
    ALERT_SOURCE,
    BATCH,
    CASE,
    CENTRE_TASK,
    CENTRE_TASK_API,
    CO_PART,
    COUNCIL,
    COUNCIL_TASK,
    DEPLOYMENT,
    DISPUTE,
    EMERGENCY_TASK,
    ENTRY,
    EXPERT,
    EXPORT,
    FILE,
    GRID_CASE,
    HOT_ISSUE,
    HOUSEHOLD,
    INCIDENT,
    INSPECTION_COPY,
    KEPT_WAREHOUSE,
    MILESTONE,
    MUST_ATTEND,
    MUST_ATTEND_API,
    NOTICE,
    OPEN311_TOKEN,
    OPEN_REPLY_API,
    ORDER,
    PETITION,
    PHOTO,
    PLAN,
    PROJECT,
    PROPOSAL,
    PUBLISHED,
    REPLY_PHOTO,
    RESPONDING,
    SERVICE,
    SUMMONS,
    TEAM_MEMBER,
    TRACKING,
    WARNING,
    WARNING_DRAFT,
    WORKER_FILE,
    Target,
    case_at,
)
from .world import World


def pdf_served(call: Call) -> None:
    assert call.response.status_code == 200, call.response.content[:300]
    assert call.response["Content-Type"] == "application/pdf"
    assert call.response.content.startswith(b"%PDF")


class Kind(Enum):
    PAGE = "a staff page: the session, login required"
    API = "the JSON API: a bearer token"
    PUBLIC = "a public door (citizens' pages, Open311): every caller alike"
    SIGNED = "signed by another platform: no session or token counts"


class Refusal(Enum):
    """How a door that finds the caller may not act says so."""

    FORBIDDEN = "403 with the reason"
    BACK = "a redirect back, the reason shown as an error message"
    UNSIGNED = "401: the signature is missing"


@dataclass(frozen=True)
class Door:
    """One method of one object endpoint, and what the tables say about it."""

    method: str
    url: str
    kind: Kind
    target: Target
    page: str | None = None  # the accounts.pages key guarding it
    # (user, object, world) → None when allowed, else the reason ("" when not pinned).
    grant: Callable[[User | None, Any, World], str | None] | None = None
    refusal: Refusal = Refusal.FORBIDDEN
    body: Callable[[World, User | None, Any], Any] | None = None
    done: Callable[[Call], None] = answered(200)
    fixed: dict = field(default_factory=dict)  # parameters that are not the object

    def __str__(self) -> str:
        return f"{self.method} {self.spelled()}"

    def spelled(self) -> str:
        url = self.url
        for name, value in self.fixed.items():
            url = url.replace("{" + name + "}", value)
        return url

    def path(self, params: dict) -> str:
        return self.url.format(**{**params, **self.fixed})


def action_doors(action: str) -> list[Door]:
    target = GRID_CASE if action in w.GRID_MOVES else case_at(w.from_status(action))
    grant = table_rule(*PERMISSIONS[action])
    fixed = {"action": str(action)}
    return [
        Door(
            "POST",
            "/cases/{number}/act/{action}/",
            Kind.PAGE,
            target,
            grant=grant,
            body=page_form(action),
            done=moved(action, 302),
            fixed=fixed,
        ),
        Door(
            "POST",
            "/api/cases/{number}/actions/{action}",
            Kind.API,
            target,
            grant=grant,
            body=api_body(action),
            done=moved(action, 200),
            fixed=fixed,
        ),
    ]


CENTRE_RULE = table_rule(supervision.CENTRE, ScopeRule.REGION)


def _on_its_case(rule):
    """A case rule applied to the case of a supervision order."""
    return lambda user, order, world: rule(user, order.case, world)


def _soon(days: int = 3) -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


CENTRES_DOORS = [
    Door(
        "POST",
        "/centres/cases/{number}/summon/",
        Kind.PAGE,
        CASE,
        grant=allowed_if(centres.may_summon),
        refusal=Refusal.BACK,
        body=lambda world, user, case: {"stationing": world.stationing.pk, "note": "请到场"},
        done=redirected_and(lambda c: DutySummons.objects.filter(case=c.obj).exists()),
    ),
    Door(
        "POST",
        "/centres/parts/{pk}/reply/",
        Kind.PAGE,
        CO_PART,
        grant=allowed_if(centres.may_reply),
        refusal=Refusal.BACK,
        body=lambda world, user, part: {"reply": "协办部分已完成"},
        done=redirected_and(lambda c: CoPart.objects.get(pk=c.obj.pk).replied_at is not None),
    ),
    Door(
        "POST",
        "/api/centres/cases/{number}/summons",
        Kind.API,
        CASE,
        grant=allowed_if(centres.may_summon),
        body=lambda world, user, case: {"stationing": world.stationing.pk, "note": "请到场"},
        done=answered(201),
    ),
    Door("GET", "/api/centres/cases/{number}/parts", Kind.API, CASE),
    Door(
        "POST",
        "/api/centres/parts/{part_id}/reply",
        Kind.API,
        CO_PART,
        grant=allowed_if(centres.may_reply),
        body=lambda world, user, part: {"reply": "协办部分已完成"},
        done=answered(200),
    ),
]


SUPERVISION_DOORS = [
    Door(
        "POST",
        "/supervision/cases/{number}/orders/",
        Kind.PAGE,
        CASE,
        grant=CENTRE_RULE,
        refusal=Refusal.BACK,
        body=lambda world, user, case: {
            "department": world.bureau.pk,
            "level": "listed",
            "reason": "挂牌督办",
        },
        done=redirected_and(lambda c: Order.objects.filter(case=c.obj, level="listed").exists()),
    ),
    Door(
        "POST",
        "/supervision/cases/{number}/visits/",
        Kind.PAGE,
        CASE,
        grant=CENTRE_RULE,
        refusal=Refusal.BACK,
        body=lambda world, user, case: {
            "visitors": "督查组",
            "visited_at": "2026-01-05T10:00",
            "findings": "现场仍未整改",
        },
        done=redirected_and(lambda c: SiteVisit.objects.filter(case=c.obj).exists()),
    ),
    Door(
        "POST",
        "/supervision/cases/{number}/reviews/",
        Kind.PAGE,
        CASE,
        grant=CENTRE_RULE,
        refusal=Refusal.BACK,
        body=lambda world, user, case: {
            "kind": "joint",
            "held_at": "2026-01-05T10:00",
            "minutes": "会商记录",
            "decision": "城管局牵头整治",
            "task-0-department": world.bureau.pk,
            "task-0-task": "清理占道",
            "task-0-due_at": _soon(),
        },
        done=redirected_and(lambda c: Review.objects.filter(case=c.obj).exists()),
    ),
    Door(
        "POST",
        "/supervision/orders/{pk}/respond/",
        Kind.PAGE,
        ORDER,
        grant=allowed_if(supervision.may_respond),
        refusal=Refusal.BACK,
        body=lambda world, user, order: {"response": "已安排维修", "done_by": "2030-01-01"},
        done=redirected_and(
            lambda c: Order.objects.get(pk=c.obj.pk).status == OrderStatus.RESPONDED
        ),
    ),
    Door(
        "POST",
        "/supervision/orders/{pk}/close/",
        Kind.PAGE,
        ORDER,
        grant=_on_its_case(CENTRE_RULE),
        refusal=Refusal.BACK,
        done=redirected_and(lambda c: Order.objects.get(pk=c.obj.pk).status == OrderStatus.CLOSED),
    ),
    Door(
        "POST",
        "/supervision/inspection/{pk}/measures/",
        Kind.PAGE,
        INSPECTION_COPY,
        grant=allowed_if(accountability.may_inspect),
        refusal=Refusal.BACK,
        body=lambda world, user, copy: {"measure": "enquiry", "text": "约谈单位负责人"},
        done=redirected_and(lambda c: Inspection.objects.filter(copy=c.obj).exists()),
    ),
    Door(
        "POST",
        "/supervision/inspection/{pk}/sign-off/",
        Kind.PAGE,
        INSPECTION_COPY,
        grant=allowed_if(accountability.may_inspect),
        refusal=Refusal.BACK,
        done=redirected_and(lambda c: Copy.objects.get(pk=c.obj.pk).signed_off_at is not None),
    ),
    Door("GET", "/api/supervision/cases/{number}/orders", Kind.API, CASE),
    Door(
        "POST",
        "/api/supervision/cases/{number}/orders",
        Kind.API,
        CASE,
        grant=CENTRE_RULE,
        body=lambda world, user, case: {
            "unit": world.bureau.code,
            "level": "listed",
            "reason": "挂牌",
        },
        done=answered(201),
    ),
    Door(
        "POST",
        "/api/supervision/orders/{order_id}/response",
        Kind.API,
        ORDER,
        grant=allowed_if(supervision.may_respond),
        body=lambda world, user, order: {"response": "已安排维修", "done_by": "2030-01-01"},
        done=answered(200),
    ),
]

PAGE_DOORS = [
    Door("GET", "/cases/{number}/", Kind.PAGE, CASE, done=shows(lambda c: c.obj.number)),
    Door(
        "POST",
        "/cases/{number}/contact/",
        Kind.PAGE,
        CASE,
        grant=may_reveal,
        body=lambda world, user, case: {"reason": "回访核实"},
        done=contact_shown,
    ),
    Door("GET", "/cases/{number}/files/{pk}/", Kind.PAGE, FILE, done=file_served("image/")),
    Door(
        "GET",
        "/triage/{number}/forms/",
        Kind.PAGE,
        case_at(Status.REGISTERED),
        page="triage",
        done=shows(lambda c: c.obj.number),
    ),
    # A work queue row's forms, loaded by its button (cases.views.queues.ROW_FORMS):
    # guarded by the queue page, the case as the queue shows it.
    *[
        Door(
            "GET",
            "/cases/{number}/forms/{queue}/",
            Kind.PAGE,
            case_at(status),
            page=page_key,
            done=shows(lambda c: c.obj.number),
            fixed={"queue": queue},
        )
        for queue, page_key, status in (
            ("inbox", "inbox", Status.DISPATCHED),
            ("tasks", "tasks", Status.REPLIED),
            ("callbacks", "callbacks", Status.VERIFIED),
            ("extensions", "triage", Status.EXTENSION_REQUESTED),
            ("placement", "triage", Status.REGISTERED),
        )
    ],
    Door(
        "POST",
        "/grid/cases/{number}/whistle/",
        Kind.PAGE,
        CASE,
        grant=table_rule(WHISTLE_ROLES, ScopeRule.GRID),
        refusal=Refusal.BACK,
        body=lambda world, user, case: {"departments": [world.other_bureau.pk], "reason": "协助"},
        done=redirected_and(
            lambda c: Summons.objects.filter(case=c.obj, department=c.world.other_bureau).exists()
        ),
    ),
    Door(
        "POST",
        "/mediation/cases/{number}/hand-over/",
        Kind.PAGE,
        CASE,
        grant=table_rule(mediation.HAND_OVER_ROLES, ScopeRule.REGION),
        refusal=Refusal.BACK,
        body=lambda world, user, case: {"type": "0201", "source": "hotline"},
        done=redirected_and(lambda c: Dispute.objects.filter(case=c.obj).exists()),
    ),
    Door(
        "POST",
        "/mediation/cases/{number}/act/",
        Kind.PAGE,
        DISPUTE,
        grant=allowed_if(lambda user, case: mediation.may_work_on(user, case.dispute)),
        refusal=Refusal.BACK,
        body=lambda world, user, case: {"move": "consent"},
        done=redirected_and(lambda c: Dispute.objects.get(case=c.obj).other_side_consents),
    ),
    # After the agreement (mediation.aftercare_views): the papers, the dossier, the forms.
    *(
        Door(
            "GET",
            url,
            Kind.PAGE,
            DISPUTE,
            grant=allowed_if(lambda user, case: mediation.may_work_on(user, case.dispute)),
            done=pdf_served,
        )
        for url in (
            "/mediation/cases/{number}/dossier.pdf",
            "/mediation/cases/{number}/rights-notice.pdf",
        )
    ),
    Door(
        "GET",
        "/mediation/cases/{number}/dossier/",
        Kind.PAGE,
        DISPUTE,
        grant=allowed_if(lambda user, case: mediation.may_work_on(user, case.dispute)),
        done=shows(lambda c: 'id="dossier-checklist"'),
    ),
    Door(
        "GET",
        "/mediation/cases/{number}/agreement.pdf",
        Kind.PAGE,
        DISPUTE,
        grant=allowed_if(lambda user, case: mediation.may_work_on(user, case.dispute)),
        # The world's dispute has no agreement yet: back to the case, nothing printed.
        done=redirected_and(
            lambda c: not c.obj.events.filter(action="dispute_document_printed").exists()
        ),
    ),
    Door(
        "POST",
        "/mediation/cases/{number}/after/",
        Kind.PAGE,
        DISPUTE,
        grant=allowed_if(lambda user, case: mediation.may_work_on(user, case.dispute)),
        refusal=Refusal.BACK,
        body=lambda world, user, case: {
            "move": "publication_consent",
            "party": Party.objects.filter(dispute__case=case).first().pk,
            "consented": "on",
        },
        done=redirected_and(
            lambda c: PublicationConsent.objects.filter(party__dispute__case=c.obj).exists()
        ),
    ),
    Door(
        "POST",
        "/grid/summons/{pk}/report-in/",
        Kind.PAGE,
        SUMMONS,
        grant=allowed_if(may_report_in),
        refusal=Refusal.BACK,
        body=lambda world, user, summons: {"response": "马上到"},
        done=redirected_and(lambda c: Summons.objects.get(pk=c.obj.pk).reported_at is not None),
    ),
    Door(
        "GET",
        "/hot-issues/{key}/",
        Kind.PAGE,
        HOT_ISSUE,
        page="hot_issues",
        done=shows(lambda c: c.obj.title),
    ),
    Door(
        "POST",
        "/hot-issues/{key}/batch/",
        Kind.PAGE,
        HOT_ISSUE,
        page="hot_issues",
        grant=allowed_if(lambda user, issue: bool(batch.actions_for(user))),
        body=lambda world, user, issue: {
            "action": "urge",
            "cases": [world.case.number],
            "reason": "群众反映集中，请尽快处理",
            "client_key": f"matrix-urge-{user.pk if user else 0}",
            "confirmed": "on",
        },
        done=redirected_and(
            lambda c: (
                HotIssueBatch.objects.filter(user=c.user, done=[c.world.case.number])
                .exclude(key__startswith="matrix-batch-")
                .exists()
            )
        ),
    ),
    Door(
        "GET",
        "/hot-issues/{key}/batch/{pk}/",
        Kind.PAGE,
        BATCH,
        page="hot_issues",
        done=shows(lambda c: c.obj.reason),
    ),
    Door(
        "GET",
        "/cases/exports/job/{pk}/",
        Kind.PAGE,
        EXPORT,
        page="cases",
        done=shows(lambda c: "export-download"),
    ),
    Door(
        "GET",
        "/cases/exports/job/{pk}/file/",
        Kind.PAGE,
        EXPORT,
        page="cases",
        done=file_served("application/vnd.openxmlformats"),
    ),
    Door(
        "POST",
        "/intake/duplicates/{number}/merge/",
        Kind.PAGE,
        CASE,
        page="intake",
        grant=may_register_and_merge,
        body=intake_form,
        done=redirected_and(
            lambda c: Case.objects.filter(merged_into=c.obj, created_by=c.user).exists()
        ),
    ),
    Door(
        "POST",
        "/intake/duplicates/{number}/join/",
        Kind.PAGE,
        CASE,
        page="intake",
        body=lambda world, user, case: {"reporter_phone": "13700005678", "channel": "hotline"},
        done=supporter_added(302, "13700005678"),
    ),
    Door(
        "POST",
        "/notifications/{pk}/read/",
        Kind.PAGE,
        NOTICE,
        done=redirected_and(lambda c: Notification.objects.get(pk=c.obj.pk).read_at is not None),
    ),
    Door(
        "GET",
        "/knowledge/{pk}/",
        Kind.PAGE,
        ENTRY,
        page="knowledge",
        done=shows(lambda c: c.obj.question),
    ),
    Door(
        "GET",
        "/knowledge/{pk}/propose/",
        Kind.PAGE,
        ENTRY,
        page="knowledge",
        grant=allowed_if(lambda user, entry: knowledge.may_propose(user)),
    ),
    Door(
        "POST",
        "/knowledge/{pk}/propose/",
        Kind.PAGE,
        ENTRY,
        page="knowledge",
        grant=allowed_if(lambda user, entry: knowledge.may_propose(user)),
        body=lambda world, user, entry: {
            "question": entry.question,
            "answer": NEW_ANSWER,
            "valid_from": entry.valid_from.isoformat(),
        },
        done=redirected_and(
            lambda c: Proposal.objects.filter(proposer=c.user, answer=NEW_ANSWER).exists()
        ),
    ),
    Door(
        "POST",
        "/knowledge/proposals/{pk}/review/",
        Kind.PAGE,
        PROPOSAL,
        page="knowledge",
        grant=allowed_if(lambda user, proposal: knowledge.may_review(user)),
        body=lambda world, user, proposal: {"decision": "approve"},
        done=redirected_and(
            lambda c: Proposal.objects.get(pk=c.obj.pk).status == ProposalStatus.APPROVED
        ),
    ),
    Door(
        "GET",
        "/knowledge/lookup/{pk}/",
        Kind.PAGE,
        ENTRY,
        page="intake",
        done=shows(lambda c: c.obj.answer),
    ),
]

API_DOORS = [
    Door(
        "GET",
        "/api/fieldwork/tasks/{task_id}/replies",
        Kind.API,
        CENTRE_TASK_API,
        done=json_answer(200, "task", lambda c: c.obj.pk),
    ),
    Door(
        "POST",
        "/api/fieldwork/tasks/{task_id}/replies/{reply_id}",
        Kind.API,
        OPEN_REPLY_API,
        grant=allowed_if(lambda user, reply: field_scope.in_team(user, reply.grid)),
        body=lambda world, user, reply: {"result": "消防通道已清理"},
        done=json_answer(200, "result", lambda c: "消防通道已清理"),
    ),
    Door(
        "POST",
        "/api/fieldwork/must-attend/{task_id}/arrive",
        Kind.API,
        MUST_ATTEND_API,
        grant=allowed_if(lambda user, task: field_scope.in_team(user, task.grid)),
        body=lambda world, user, task: {"note": "已到现场"},
        done=json_answer(200, "note", lambda c: "已到现场"),
    ),
    Door(
        "POST",
        "/api/fieldwork/tasks/{task_id}/replies/{reply_id}/photos",
        Kind.API,
        OPEN_REPLY_API,
        grant=allowed_if(lambda user, reply: field_scope.in_team(user, reply.grid)),
        body=lambda world, user, reply: {"result": "消防通道已清理", "photos": w.png("通道.png")},
        done=json_answer(200, "photos", lambda c: 1),
    ),
    Door(
        "GET",
        "/api/cases/{number}",
        Kind.API,
        CASE,
        done=json_answer(200, "number", lambda c: c.obj.number),
    ),
    Door(
        "GET",
        "/api/cases/{number}/attachments/{attachment_id}",
        Kind.API,
        FILE,
        done=file_served("image/"),
    ),
    Door("GET", "/api/cases/{number}/suggestion", Kind.API, CASE),
    Door(
        "GET",
        "/api/mediation/disputes/{number}",
        Kind.API,
        DISPUTE,
        grant=allowed_if(lambda user, case: mediation.may_work_on(user, case.dispute)),
        done=json_answer(200, "case", lambda c: c.obj.number),
    ),
    Door(
        "GET",
        "/api/mediation/disputes/{number}/aftercare",
        Kind.API,
        DISPUTE,
        grant=allowed_if(lambda user, case: mediation.may_work_on(user, case.dispute)),
        done=json_answer(200, "case", lambda c: c.obj.number),
    ),
    Door(
        "POST",
        "/api/mediation/disputes/{number}/follow-ups",
        Kind.API,
        DISPUTE,
        grant=allowed_if(lambda user, case: mediation.may_work_on(user, case.dispute)),
        body=lambda world, user, case: {"obligation": 0, "result": "performed", "on": "2026-01-01"},
        # The world's dispute has no agreement yet: past the guards, no such obligation.
        done=answered(404),
    ),
    Door("GET", "/api/cases/{number}/actions", Kind.API, CASE),
    Door("GET", "/api/cases/{number}/reply-templates", Kind.API, CASE),
    Door(
        "POST",
        "/api/cases/{number}/attachments",
        Kind.API,
        CASE,
        body=lambda world, user, case: {"file": w.png("补充照片.png")},
        done=answered(201),
    ),
    Door(
        "GET",
        "/api/cases/{number}/supporters",
        Kind.API,
        CASE,
        done=json_answer(200, "case", lambda c: c.obj.number),
    ),
    Door(
        "POST",
        "/api/cases/{number}/supporters",
        Kind.API,
        CASE,
        body=lambda world, user, case: {"phone": "13700009999", "channel": "hotline"},
        done=supporter_added(201, "13700009999"),
    ),
    Door(
        "GET",
        "/api/cases/exports/{export_id}",
        Kind.API,
        EXPORT,
        done=json_answer(200, "id", lambda c: c.obj.pk),
    ),
    Door(
        "GET",
        "/api/cases/exports/{export_id}/file",
        Kind.API,
        EXPORT,
        done=file_served("application/vnd.openxmlformats"),
    ),
    Door(
        "GET",
        "/api/knowledge/entries/{entry_id}",
        Kind.API,
        ENTRY,
        done=json_answer(200, "id", lambda c: c.obj.pk),
    ),
]

PUBLIC_DOORS = [
    Door(
        "POST",
        "/report/join/{number}/",
        Kind.PUBLIC,
        PUBLISHED,
        body=citizen_join_form,
        done=supporter_added(200, "13600001234"),
    ),
    Door("GET", "/track/{token}/", Kind.PUBLIC, TRACKING),
    Door(
        "POST",
        "/track/{token}/rate/",
        Kind.PUBLIC,
        TRACKING,
        grant=lambda user, token, world: None if may_rate(token, world) else "",
        body=lambda world, user, token: {"rating": "satisfied"},
        done=rated,
    ),
    Door("GET", "/track/{token}/photos/{pk}/", Kind.PUBLIC, PHOTO, done=file_served("image/")),
    Door(
        "GET",
        "/open311/v2/requests/{service_request_id}.{fmt}",
        Kind.PUBLIC,
        PUBLISHED,
        done=json_answer(200, "service_request_id", lambda c: c.obj.number),
        fixed={"fmt": "json"},
    ),
    Door(
        "GET",
        "/open311/v2/request/{service_request_id}.{fmt}",
        Kind.PUBLIC,
        PUBLISHED,
        done=json_answer(200, "service_request_id", lambda c: c.obj.number),
        fixed={"fmt": "json"},
    ),
    Door(
        "GET",
        "/open311/v2/tokens/{token_id}.{fmt}",
        Kind.PUBLIC,
        OPEN311_TOKEN,
        done=json_answer(200, "token", lambda c: c.obj),
        fixed={"fmt": "json"},
    ),
    Door(
        "GET",
        "/open311/v2/services/{service_code}.{fmt}",
        Kind.PUBLIC,
        SERVICE,
        done=json_answer(200, "service_code", lambda c: c.obj.code),
        fixed={"fmt": "json"},
    ),
    # Alert sources are named platforms, not personal data: an unknown one is a 404 and
    # a known one a 401 until the request is signed, whoever sends it.
    Door(
        "POST",
        "/alerts/{slug}/",
        Kind.SIGNED,
        ALERT_SOURCE,
        grant=lambda user, source, world: "",
        refusal=Refusal.UNSIGNED,
        body=lambda world, user, source: json.dumps({"type": "water_level", "level": 3.2}),
    ),
]

PETITION_RULE = table_rule(petitions.PETITION_ROLES, ScopeRule.REGION)


def _petition_form(world, user, case) -> dict:
    return {
        "form": "letter",
        "name": "赵六",
        "phone": "13900007777",
        "matter": "小区停车位被占用，请求处理。",
        "addressed_to": "district",
        "received_on": timezone.localdate().isoformat(),
        "receiving_office": "矛调中心信访窗口",
    }


def _petition_api(world, user, case) -> dict:
    form = _petition_form(world, user, case)
    return {
        "form": form["form"],
        "petitioner_name": form["name"],
        "petitioner_phone": form["phone"],
        "matter": form["matter"],
        "addressed_to": form["addressed_to"],
        "received_on": form["received_on"],
        "receiving_office": form["receiving_office"],
    }


def _pdf_served(call: Call) -> None:
    assert call.response.status_code == 200, call.response.content[:500]
    assert call.response["Content-Type"] == "application/pdf"
    assert call.response.content.startswith(b"%PDF")


def _petition_state(call: Call) -> str:
    return Petition.objects.get(case=call.obj).state


PETITION_DOORS = [
    Door(
        "POST",
        "/petitions/cases/{number}/register/",
        Kind.PAGE,
        CASE,
        grant=PETITION_RULE,
        refusal=Refusal.BACK,
        body=_petition_form,
        done=redirected_and(lambda c: Petition.objects.filter(case=c.obj).exists()),
    ),
    Door(
        "POST",
        "/petitions/cases/{number}/act/",
        Kind.PAGE,
        PETITION,
        grant=PETITION_RULE,
        refusal=Refusal.BACK,
        body=lambda world, user, case: {"move": "accept"},
        done=redirected_and(lambda c: _petition_state(c) == "accepted"),
    ),
    Door(
        "GET",
        "/petitions/cases/{number}/notice.pdf",
        Kind.PAGE,
        ACCEPTED_PETITION,
        grant=PETITION_RULE,
        done=_pdf_served,
    ),
    Door(
        "GET",
        "/api/petitions/{number}",
        Kind.API,
        PETITION,
        grant=PETITION_RULE,
        done=json_answer(200, "case", lambda c: c.obj.number),
    ),
    Door(
        "POST",
        "/api/petitions/{number}",
        Kind.API,
        CASE,
        grant=PETITION_RULE,
        body=_petition_api,
        done=answered(201),
    ),
    Door(
        "POST",
        "/api/petitions/{number}/decision",
        Kind.API,
        PETITION,
        grant=PETITION_RULE,
        body=lambda world, user, case: {"accept": True},
        done=json_answer(200, "state", lambda c: "accepted"),
    ),
    Door(
        "POST",
        "/api/petitions/{number}/extension",
        Kind.API,
        ACCEPTED_PETITION,
        grant=table_rule(petitions.EXTENSION_ROLES, ScopeRule.REGION),
        body=lambda world, user, case: {"days": 10, "reason": "情况复杂"},
        done=json_answer(200, "extended_days", lambda c: 10),
    ),
    Door(
        "POST",
        "/api/petitions/{number}/reply",
        Kind.API,
        ACCEPTED_PETITION,
        grant=PETITION_RULE,
        body=lambda world, user, case: {"opinion": "已协调解决"},
        done=json_answer(200, "state", lambda c: "replied"),
    ),
]


# Problems of the month (未诉先办): the centre's pages, the owner unit's API door.
PROJECT_DOORS = [
    Door(
        "GET",
        "/supervision/projects/{pk}/",
        Kind.PAGE,
        PROJECT,
        page="projects",
        done=shows(lambda c: c.obj.title),
    ),
    Door(
        "POST",
        "/supervision/projects/{pk}/milestones/",
        Kind.PAGE,
        PROJECT,
        page="projects",
        body=lambda world, user, project: {
            "title": "施划车位",
            "due_on": project.due_on.isoformat(),
        },
        done=redirected_and(lambda c: Milestone.objects.filter(project=c.obj).count() == 2),
    ),
    Door(
        "POST",
        "/supervision/projects/{pk}/milestones/{milestone}/done/",
        Kind.PAGE,
        MILESTONE,
        page="projects",
        done=redirected_and(lambda c: Milestone.objects.get(pk=c.obj.pk).done_at is not None),
    ),
    Door(
        "POST",
        "/supervision/projects/{pk}/close/",
        Kind.PAGE,
        PROJECT,
        page="projects",
        body=lambda world, user, project: {"status": "done"},
        done=redirected_and(
            lambda c: Project.objects.get(pk=c.obj.pk).status == ProjectStatus.DONE
        ),
    ),
    Door(
        "POST",
        "/api/supervision/projects/{project_id}/milestones/{milestone_id}/done",
        Kind.API,
        MILESTONE,
        grant=allowed_if(lambda user, step: supervision_projects.may_complete(user, step.project)),
        done=answered(200),
    ),
]


def _served(content_type: str) -> Callable[[Call], None]:
    def check(call: Call) -> None:
        assert call.response.status_code == 200, call.response.content[:300]
        assert call.response["Content-Type"].startswith(content_type)

    return check


_commands = allowed_if(lambda user, incident: emergency.may_command(user, incident))
_works_on = allowed_if(emergency_response.may_work_on)

EMERGENCY_DOORS = [
    Door(
        "POST",
        "/emergency/cases/{number}/open/",
        Kind.PAGE,
        CASE,
        page="incidents",
        grant=allowed_if(lambda user, case: emergency.command_refusal(user, case=case) is None),
        refusal=Refusal.BACK,
        body=lambda world, user, case: {"type_code": "101", "severity": "general"},
        done=redirected_and(lambda c: Incident.objects.filter(case=c.obj).exists()),
    ),
    Door(
        "GET",
        "/emergency/{pk}/",
        Kind.PAGE,
        INCIDENT,
        page="incidents",
        done=shows(lambda c: c.obj.title),
    ),
    Door(
        "GET",
        "/emergency/{pk}/log.pdf",
        Kind.PAGE,
        INCIDENT,
        page="incidents",
        done=_served("application/pdf"),
    ),
    Door(
        "POST",
        "/emergency/{pk}/{action}/",
        Kind.PAGE,
        INCIDENT,
        page="incidents",
        grant=_commands,
        refusal=Refusal.BACK,
        body=lambda world, user, incident: {"kind": "first", "text": "电话首报"},
        done=redirected_and(lambda c: Report.objects.filter(incident=c.obj).exists()),
        fixed={"action": "report"},
    ),
    Door(
        "POST",
        "/emergency/tasks/{pk}/{move}/",
        Kind.PAGE,
        EMERGENCY_TASK,
        page="incidents",
        grant=_works_on,
        refusal=Refusal.BACK,
        done=redirected_and(lambda c: Task.objects.get(pk=c.obj.pk).status == "acknowledged"),
        fixed={"move": "acknowledge"},
    ),
    Door(
        "GET",
        "/emergency/plans/{pk}/",
        Kind.PAGE,
        PLAN,
        page="plans",
        done=shows(lambda c: c.obj.name),
    ),
    Door(
        "GET",
        "/emergency/plans/{pk}/export.json",
        Kind.PAGE,
        PLAN,
        page="plans",
        done=_served("application/json"),
    ),
    Door(
        "GET",
        "/emergency/plans/{pk}/plan.pdf",
        Kind.PAGE,
        PLAN,
        page="plans",
        done=_served("application/pdf"),
    ),
    Door(
        "GET",
        "/api/emergency/incidents/{incident_id}",
        Kind.API,
        INCIDENT,
        done=json_answer(200, "id", lambda c: c.obj.pk),
    ),
    Door(
        "POST",
        "/api/emergency/incidents/{incident_id}/plan",
        Kind.API,
        INCIDENT,
        grant=_commands,
        body=lambda world, user, incident: {"plan": world.plan.code, "level": 4, "version": 0},
        done=json_answer(200, "level", lambda c: 4),
    ),
    Door(
        "POST",
        "/api/emergency/incidents/{incident_id}/level",
        Kind.API,
        RESPONDING,
        grant=_commands,
        body=lambda world, user, incident: {
            "level": 3,
            "version": Incident.objects.get(pk=incident.pk).version,
        },
        done=json_answer(200, "level", lambda c: 3),
    ),
    Door(
        "POST",
        "/api/emergency/incidents/{incident_id}/reports",
        Kind.API,
        INCIDENT,
        grant=_commands,
        body=lambda world, user, incident: {"kind": "first", "text": "电话首报"},
        done=json_answer(200, "kind", lambda c: "first"),
    ),
    Door(
        "POST",
        "/api/emergency/tasks/{task_id}/acknowledge",
        Kind.API,
        EMERGENCY_TASK,
        grant=_works_on,
        done=json_answer(200, "status", lambda c: "acknowledged"),
    ),
    Door(
        "GET",
        "/api/emergency/incidents/{incident_id}/nearest",
        Kind.API,
        INCIDENT,
        done=json_answer(200, "incident", lambda c: c.obj.pk),
    ),
    Door(
        "GET",
        "/api/emergency/incidents/{incident_id}/deployments",
        Kind.API,
        RESPONDING,
        done=answered(200),
    ),
    Door(
        "POST",
        "/api/emergency/incidents/{incident_id}/deployments",
        Kind.API,
        INCIDENT,
        grant=_commands,
        body=lambda world, user, incident: {"team": world.team.pk},
        done=json_answer(200, "team", lambda c: "防汛抢险队"),
    ),
    Door(
        "POST",
        "/api/emergency/deployments/{deployment_id}/{move}",
        Kind.API,
        DEPLOYMENT,
        grant=allowed_if(emergency_resourcing.may_move_deployment),
        done=json_answer(200, "status", lambda c: "acknowledged"),
        fixed={"move": "acknowledge"},
    ),
    Door(
        "POST",
        "/api/emergency/incidents/{incident_id}/shipments",
        Kind.API,
        INCIDENT,
        grant=_commands,
        body=lambda world, user, incident: {
            "warehouse": world.warehouse.pk,
            "item": "03010101",
            "quantity": 10,
        },
        done=json_answer(200, "left", lambda c: 90),
    ),
    Door(
        "GET",
        "/api/emergency/plans/{code}",
        Kind.API,
        PLAN,
        done=json_answer(200, "code", lambda c: c.obj.code),
    ),
]


def _sandbags_now(call: Call) -> int:
    return Stock.objects.get(warehouse=call.obj, item__code="03010101").quantity


def _expert_phone_shown(call: Call) -> None:
    assert call.response.status_code == 200, call.response.content[:300]
    assert call.obj.phone in call.response.content.decode()
    assert PersonalDataRead.objects.filter(user=call.user, field="expert phone").exists()


_drafts = allowed_if(lambda user, warning: warning_flow.may_draft(user, warning.incident))
_approves = allowed_if(warning_flow.may_approve)
_receipt = {"item": "03010101", "quantity": 5}

WARNING_DOORS = [
    Door(
        "GET",
        "/emergency/warnings/{pk}/",
        Kind.PAGE,
        WARNING,
        page="warnings",
        done=shows(lambda c: c.obj.headline),
    ),
    Door(
        "GET",
        "/emergency/warnings/{pk}/cap.xml",
        Kind.PAGE,
        WARNING,
        page="warnings",
        done=_served("application/xml"),
    ),
    Door(
        "POST",
        "/emergency/warnings/{pk}/{action}/",
        Kind.PAGE,
        WARNING,
        page="warnings",
        grant=_drafts,
        refusal=Refusal.BACK,
        done=redirected_and(lambda c: Warning.objects.filter(replaces=c.obj).exists()),
        fixed={"action": "cancel"},
    ),
    Door(
        "POST",
        "/emergency/warnings/{pk}/{action}/",
        Kind.PAGE,
        WARNING_DRAFT,
        page="warnings",
        grant=_approves,
        refusal=Refusal.BACK,
        done=redirected_and(lambda c: Warning.objects.get(pk=c.obj.pk).state == "sent"),
        fixed={"action": "approve"},
    ),
    Door(
        "POST",
        "/emergency/experts/{pk}/phone/",
        Kind.PAGE,
        EXPERT,
        page="incidents",
        grant=allowed_if(lambda user, expert: emergency.may_command(user)),
        done=_expert_phone_shown,
    ),
    Door(
        "GET",
        "/emergency/warehouses/{pk}/",
        Kind.PAGE,
        KEPT_WAREHOUSE,
        page="warehouses",
        done=shows(lambda c: c.obj.name),
    ),
    Door(
        "POST",
        "/emergency/warehouses/{pk}/receive/",
        Kind.PAGE,
        KEPT_WAREHOUSE,
        page="warehouses",
        body=lambda world, user, warehouse: _receipt,
        done=redirected_and(lambda c: _sandbags_now(c) == 105),
    ),
    Door(
        "GET",
        "/api/emergency/warnings/{warning_id}",
        Kind.API,
        WARNING,
        done=json_answer(200, "id", lambda c: c.obj.pk),
    ),
    Door(
        "GET",
        "/api/emergency/warnings/{warning_id}/cap",
        Kind.API,
        WARNING,
        done=_served("application/xml"),
    ),
    Door(
        "POST",
        "/api/emergency/warnings/{warning_id}/approve",
        Kind.API,
        WARNING_DRAFT,
        grant=_approves,
        done=json_answer(200, "state", lambda c: "sent"),
    ),
    Door(
        "POST",
        "/api/emergency/warnings/{warning_id}/update",
        Kind.API,
        WARNING,
        grant=_drafts,
        body=lambda world, user, warning: {"headline": "暴雨黄色预警（更新）"},
        done=json_answer(200, "msg_type", lambda c: "Update"),
    ),
    Door(
        "POST",
        "/api/emergency/warnings/{warning_id}/cancel",
        Kind.API,
        WARNING,
        grant=_drafts,
        body=lambda world, user, warning: {"note": "解除"},
        done=json_answer(200, "msg_type", lambda c: "Cancel"),
    ),
    Door(
        "POST",
        "/api/emergency/warehouses/{warehouse_id}/receipts",
        Kind.API,
        KEPT_WAREHOUSE,
        body=lambda world, user, warehouse: _receipt,
        done=json_answer(200, "stock_after", lambda c: 105),
    ),
]


def _in_team(user, obj) -> bool:
    return field_scope.in_team(user, obj.grid)


FIELD_DOORS = [
    Door(
        "GET",
        "/field/households/{pk}/",
        Kind.PAGE,
        HOUSEHOLD,
        page="field_teams",
        done=shows(lambda c: c.obj.label),
    ),
    Door(
        "POST",
        "/field/households/{pk}/visit/",
        Kind.PAGE,
        HOUSEHOLD,
        page="field_day",
        grant=allowed_if(_in_team),
        body=lambda world, user, household: {
            "visited_on": timezone.localdate().isoformat(),
            "found": "老人身体还好",
        },
        done=redirected_and(lambda c: Visit.objects.filter(household=c.obj).exists()),
    ),
    Door(
        "POST",
        "/field/households/{pk}/reveal/",
        Kind.PAGE,
        HOUSEHOLD,
        page="field_teams",
        body=lambda world, user, household: {"reason": "约上门时间"},
        done=shows(lambda c: c.obj.contact_phone),
    ),
    Door(
        "POST",
        "/field/households/{pk}/points/",
        Kind.PAGE,
        HOUSEHOLD,
        page="field_teams",
        grant=allowed_if(_in_team),
        refusal=Refusal.BACK,
        body=lambda world, user, household: {"points": 5, "reason": "清理楼道"},
        done=redirected_and(lambda c: PointEntry.objects.filter(household=c.obj).exists()),
    ),
    Door(
        "POST",
        "/field/attend/{pk}/arrive/",
        Kind.PAGE,
        MUST_ATTEND,
        page="field_day",
        grant=allowed_if(_in_team),
        refusal=Refusal.BACK,
        body=lambda world, user, task: {"note": "已到现场"},
        done=redirected_and(lambda c: MustAttend.objects.get(pk=c.obj.pk).arrived_at is not None),
    ),
    Door(
        "GET",
        "/field/tasks/{pk}/",
        Kind.PAGE,
        CENTRE_TASK,
        page="field_tasks",
        done=shows(lambda c: c.obj.title),
    ),
    Door(
        "GET",
        "/field/photos/{pk}/",
        Kind.PAGE,
        REPLY_PHOTO,
        page="field_tasks",
        done=file_served("image/"),
    ),
]


def _in_community(user, obj) -> bool:
    return field_scope.in_community(user, obj.grid)


def _may_file_council_task(user, task) -> bool:
    """A follow-up becomes a case for whoever sees its grid and may register a case (a
    leader sees the council but registers nothing: refused with the lifecycle's text)."""
    registering = PERMISSIONS[Action.REGISTER][0]
    return field_scope.may_see(user, task.council.grid) and (
        field_scope.is_admin(user) or user.has_role(*registering)
    )


COMMUNITY_FIELD_DOORS = [
    Door(
        "POST",
        "/field/members/{pk}/leave/",
        Kind.PAGE,
        TEAM_MEMBER,
        page="field_teams",
        grant=allowed_if(_in_community),
        refusal=Refusal.BACK,
        done=redirected_and(lambda c: not TeamMember.objects.get(pk=c.obj.pk).active),
    ),
    Door(
        "GET",
        "/field/workers/{pk}/",
        Kind.PAGE,
        WORKER_FILE,
        page="field_workers",
        done=shows(lambda c: c.obj.get_full_name() or c.obj.username),
    ),
    Door(
        "POST",
        "/field/workers/{pk}/records/",
        Kind.PAGE,
        WORKER_FILE,
        page="field_workers",
        grant=allowed_if(field_services.may_keep_file),
        refusal=Refusal.BACK,
        body=lambda world, user, worker: {
            "kind": "training",
            "title": "入户走访培训",
            "on": timezone.localdate().isoformat(),
        },
        done=redirected_and(lambda c: WorkerRecord.objects.filter(worker=c.obj).exists()),
    ),
    Door(
        "GET",
        "/field/councils/{pk}/",
        Kind.PAGE,
        COUNCIL,
        page="field_teams",
        done=shows(lambda c: c.obj.topic),
    ),
    Door(
        "POST",
        "/field/council-tasks/{pk}/{move}/",
        Kind.PAGE,
        COUNCIL_TASK,
        page="field_teams",
        done=redirected_and(lambda c: CouncilTask.objects.get(pk=c.obj.pk).done_on is not None),
        fixed={"move": "done"},
    ),
    Door(
        "POST",
        "/field/council-tasks/{pk}/{move}/",
        Kind.PAGE,
        COUNCIL_TASK,
        page="field_teams",
        grant=allowed_if(_may_file_council_task),
        refusal=Refusal.BACK,
        done=redirected_and(lambda c: CouncilTask.objects.get(pk=c.obj.pk).case_id is not None),
        fixed={"move": "case"},
    ),
]


DOORS: list[Door] = [
    *PAGE_DOORS,
    *PETITION_DOORS,
    *FIELD_DOORS,
    *COMMUNITY_FIELD_DOORS,
    *SUPERVISION_DOORS,
    *CENTRES_DOORS,
    *PROJECT_DOORS,
    *EMERGENCY_DOORS,
    *WARNING_DOORS,
    *(door for action in PERSON_ACTIONS for door in action_doors(action)),
    *API_DOORS,
    *PUBLIC_DOORS,
]
