"""On-site supervision, joint reviews, the copy rules, the inspectors' measures and the
sign-off (销号)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases import services as case_services
from civicgrid.cases.lifecycle import Action, ActionRefused, InvalidAction
from civicgrid.cases.models import Attachment, CaseAccess, Rating, Status
from civicgrid.cases.scope import visible_cases
from civicgrid.cases.tests import factories as f
from civicgrid.supervision import accountability, services
from civicgrid.supervision.events import COPIED, MEASURE, REVIEW, SIGNED_OFF, SITE_VISIT
from civicgrid.supervision.models import (
    Copy,
    CopyReason,
    CopyRule,
    Level,
    Measure,
    ReviewKind,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(new_case, dispatcher, bureau):
    case_services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    new_case.refresh_from_db()
    return new_case


@pytest.fixture
def inspector(bureau):
    return f.make_user(Role.INSPECTOR, department=bureau, username="inspector")


@pytest.fixture
def city_inspector(district):
    return f.make_user(Role.INSPECTOR, regions=[district["district"]], username="cityinspector")


# --- on-site supervision and joint review --------------------------------------------


def test_an_on_site_supervision_keeps_who_when_what_and_photos(case, dispatcher):
    when = timezone.now() - timedelta(hours=2)
    visit = services.record_visit(
        case,
        actor=dispatcher,
        visitors="督查组 王科长",
        visited_at=when,
        findings="现场仍有积水",
        photos=[f.make_image()],
    )
    assert visit.event.action == SITE_VISIT
    assert Attachment.objects.get(case=case).event == visit.event


def test_a_program_disguised_as_a_photo_is_refused_and_nothing_recorded(case, dispatcher):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("p.jpg", b"MZ\x90\x00" + b"\0" * 200, "image/jpeg")
    with pytest.raises(InvalidAction):
        services.record_visit(
            case,
            actor=dispatcher,
            visitors="a",
            visited_at=timezone.now(),
            findings="b",
            photos=[bad],
        )
    assert not case.events.filter(action=SITE_VISIT).exists()


def test_a_leader_consultation_lists_leaders_and_gives_each_unit_a_task(case, leader, bureau):
    due = timezone.now() + timedelta(days=3)
    with pytest.raises(InvalidAction, match="List the leaders"):
        services.record_review(
            case,
            actor=leader,
            kind=ReviewKind.LEADERS,
            held_at=timezone.now(),
            minutes="会议",
            decision="限期整改",
            tasks=[(bureau, "清理", due)],
        )
    review = services.record_review(
        case,
        actor=leader,
        kind=ReviewKind.LEADERS,
        held_at=timezone.now(),
        minutes="常务副区长主持",
        decision="城管局三日内清理完毕",
        leaders="常务副区长、分管副区长",
        tasks=[(bureau, "清理占道", due)],
    )
    assert review.tasks.get().department == bureau
    event = case.events.get(action=REVIEW)
    assert "城管局三日内清理完毕" in event.data["decision"]


def test_a_review_task_needs_a_future_deadline(case, leader, bureau):
    with pytest.raises(InvalidAction, match="deadline in the future"):
        services.record_review(
            case,
            actor=leader,
            kind=ReviewKind.JOINT,
            held_at=timezone.now(),
            minutes="a",
            decision="b",
            tasks=[(bureau, "c", timezone.now() - timedelta(days=1))],
        )


def test_the_timeline_shows_a_review(client, case, leader, bureau):
    services.record_review(
        case,
        actor=leader,
        kind=ReviewKind.JOINT,
        held_at=timezone.now(),
        minutes="会商记录",
        decision="联合整治",
        tasks=[(bureau, "牵头整治", timezone.now() + timedelta(days=2))],
    )
    client.force_login(leader)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "joint review" in page
    assert "联合整治" in page


# --- copy rules ------------------------------------------------------------------------


def test_a_supervision_order_copies_the_case_to_the_units_inspector(
    case, dispatcher, bureau, inspector, other_handler
):
    CopyRule.objects.create(reason=CopyReason.SUPERVISION)
    services.issue(case, bureau, Level.URGING, actor=dispatcher, reason="催办")
    assert not Copy.objects.exists()
    services.issue(case, bureau, Level.SUPERVISION, actor=dispatcher, reason="督办")
    copy = Copy.objects.get()
    assert copy.reason == CopyReason.SUPERVISION
    assert CaseAccess.objects.filter(case=case, user=inspector).exists()
    assert case.events.filter(action=COPIED).count() == 1
    assert case in visible_cases(inspector, type(case).objects.all())


def test_an_inactive_rule_copies_nothing(case, dispatcher, bureau, inspector):
    CopyRule.objects.create(reason=CopyReason.SUPERVISION, active=False)
    services.issue(case, bureau, Level.SUPERVISION, actor=dispatcher, reason="督办")
    assert not Copy.objects.exists()


def test_a_listed_category_is_copied_at_dispatch(
    new_case, dispatcher, bureau, category, city_inspector, django_capture_on_commit_callbacks
):
    rule = CopyRule.objects.create(reason=CopyReason.CATEGORY)
    rule.categories.add(category)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.act(new_case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    assert Copy.objects.get().reason == CopyReason.CATEGORY
    # A region-scoped inspector of the district gets it too.
    assert CaseAccess.objects.filter(case=new_case, user=city_inspector).exists()


def test_an_overruled_return_is_a_refusal_copied(
    case, dispatcher, handler, django_capture_on_commit_callbacks
):
    CopyRule.objects.create(reason=CopyReason.REFUSAL)
    case_services.act(case, Action.ACKNOWLEDGE, actor=handler)
    case_services.act(case, Action.RETURN, actor=handler, note="不归我们管")
    with django_capture_on_commit_callbacks(execute=True):
        case_services.act(case, Action.OVERRULE_RETURN, actor=dispatcher, note="属于城管职责")
    assert Copy.objects.get().reason == CopyReason.REFUSAL


# --- the inspector ---------------------------------------------------------------------


@pytest.fixture
def copied(case, dispatcher, bureau, inspector):
    CopyRule.objects.create(reason=CopyReason.SUPERVISION)
    services.issue(case, bureau, Level.SUPERVISION, actor=dispatcher, reason="督办")
    return Copy.objects.get()


def test_the_inspector_records_measures_a_rectification_needs_a_deadline(copied, inspector):
    with pytest.raises(InvalidAction, match="needs a deadline"):
        accountability.record_measure(
            copied, actor=inspector, measure=Measure.RECTIFICATION, text="限期整改"
        )
    accountability.record_measure(
        copied,
        actor=inspector,
        measure=Measure.RECTIFICATION,
        text="限期整改",
        due_at=timezone.now() + timedelta(days=5),
    )
    accountability.record_measure(copied, actor=inspector, measure=Measure.ENQUIRY, text="约谈")
    assert copied.measures.count() == 2
    assert copied.case.events.filter(action=MEASURE).count() == 2


def test_only_the_inspectors_record_measures(copied, handler):
    with pytest.raises(ActionRefused):
        accountability.record_measure(copied, actor=handler, measure=Measure.WARNING, text="x")


def test_sign_off_is_refused_while_the_case_is_open(copied, inspector):
    with pytest.raises(InvalidAction, match="cannot be signed off yet"):
        accountability.sign_off(copied, actor=inspector)
    copied.refresh_from_db()
    assert copied.signed_off_at is None


def test_sign_off_once_the_citizen_is_satisfied(copied, inspector):
    type(copied.case).objects.filter(pk=copied.case_id).update(
        status=Status.RATED, rating=Rating.SATISFIED
    )
    accountability.sign_off(copied, actor=inspector, note="已核实")
    copied.refresh_from_db()
    assert copied.signed_off_by == inspector
    assert copied.case.events.filter(action=SIGNED_OFF).exists()
    with pytest.raises(InvalidAction, match="already signed off"):
        accountability.sign_off(copied, actor=inspector)


def test_the_inspectors_page_lists_copied_cases(client, copied, inspector, handler):
    client.force_login(inspector)
    page = client.get(reverse("supervision:inspection")).content.decode()
    assert f'data-case="{copied.case.number}"' in page
    client.force_login(handler)
    assert client.get(reverse("supervision:inspection")).status_code == 403


def test_the_inspector_lands_on_their_page(client, inspector):
    client.force_login(inspector)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("supervision:inspection")


def test_sign_off_on_the_case_page_says_why_not(client, copied, inspector):
    client.force_login(inspector)
    response = client.post(
        reverse("supervision:sign_off", args=[copied.pk]), {"note": ""}, follow=True
    )
    assert "cannot be signed off yet" in response.content.decode()


@pytest.mark.parametrize(
    "model", ["order", "copyrule", "copy", "inspection", "review", "sitevisit"]
)
def test_the_admin_lists_supervision_records(admin_client, copied, model):
    assert admin_client.get(reverse(f"admin:supervision_{model}_changelist")).status_code == 200
    if model == "copyrule":
        rule = CopyRule.objects.get()
        page = admin_client.get(reverse("admin:supervision_copyrule_change", args=[rule.pk]))
        assert page.status_code == 200


def test_the_accountability_record_per_unit_counts_copies_and_serious_measures(
    new_case, bureau, leader
):
    from datetime import timedelta

    from django.utils import timezone

    from civicgrid.supervision.accountability import records_by_unit
    from civicgrid.supervision.models import Copy, CopyReason, Inspection, Measure

    copy = Copy.objects.create(case=new_case, reason=CopyReason.SUPERVISION, department=bureau)
    for measure in (Measure.WARNING, Measure.ENQUIRY, Measure.RECTIFICATION):
        Inspection.objects.create(copy=copy, measure=measure, text="x", by=leader)
    now = timezone.now()
    # The copy, the warning and the rectification order; an enquiry is no record.
    assert records_by_unit(now - timedelta(days=1), now + timedelta(days=1)) == {bureau.pk: 3}
    assert records_by_unit(now + timedelta(days=1), now + timedelta(days=2)) == {}
