"""The community's own pages: the 1 + N + X roster, the grid worker files (records and
visit log) and the follow-up of a grid council's decisions."""

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.models import Case
from civicgrid.cases.tests.factories import make_user
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import CouncilTask, TeamMember, TeamRole, WorkerRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def community_staff(district):
    """The community workstation of grids 1-1 and 1-2 (a dispatcher on the community)."""
    return make_user(Role.DISPATCHER, regions=[district["grid11"].parent], username="station")


def test_the_community_adds_and_retires_team_members_and_the_public_roster_follows(
    client, community_staff, district
):
    grid = district["grid11"]
    client.force_login(community_staff)
    client.post(
        "/field/members/new/",
        {"grid": grid.pk, "name": "王警官", "role": TeamRole.SPECIALIST, "speciality": "社区民警"},
    )
    member = TeamMember.objects.get(name="王警官")
    roster = client.get(f"/field/roster/?grid={grid.code}").content.decode()
    assert "王警官" in roster
    assert "社区民警" in roster
    left = client.post(f"/field/members/{member.pk}/leave/", follow=True).content.decode()
    assert "王警官 left the team" in left
    assert "王警官" not in client.get(f"/field/roster/?grid={grid.code}").content.decode()
    assert TeamMember.objects.filter(pk=member.pk, active=False).exists()


def test_the_grid_worker_cannot_change_the_roster(client, grid_worker, district):
    member = TeamMember.objects.create(
        grid=district["grid11"], name="李楼长", role="building_chief"
    )
    client.force_login(grid_worker)
    client.post(f"/field/members/{member.pk}/leave/")
    client.post(
        "/field/members/new/", {"grid": district["grid11"].pk, "name": "X", "role": "volunteer"}
    )
    member.refresh_from_db()
    assert member.active
    assert not TeamMember.objects.filter(name="X").exists()


def test_the_community_keeps_the_grid_workers_file_and_reads_their_visits(
    client, community_staff, grid_worker, household
):
    services.record_visit(household, actor=grid_worker, found="老人身体还好")
    client.force_login(community_staff)
    listed = client.get("/field/workers/").content.decode()
    assert f"/field/workers/{grid_worker.pk}/" in listed
    client.post(
        f"/field/workers/{grid_worker.pk}/records/",
        {"kind": "training", "title": "网格员入户走访培训", "on": timezone.localdate().isoformat()},
    )
    client.post(f"/field/workers/{grid_worker.pk}/records/", {"assess": "1"})
    page = client.get(f"/field/workers/{grid_worker.pk}/").content.decode()
    assert "网格员入户走访培训" in page
    assert "老人身体还好" in page
    assert "3-2-401" in page
    assert WorkerRecord.objects.filter(worker=grid_worker, kind="assessment").exists()


def test_a_file_outside_the_community_is_not_found_and_a_future_record_is_refused(
    client, community_staff, district, grid_worker
):
    far = make_user(Role.GRID_WORKER, regions=[district["grid21"]], username="farworker")
    client.force_login(community_staff)
    assert client.get(f"/field/workers/{far.pk}/").status_code == 404
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    client.post(
        f"/field/workers/{grid_worker.pk}/records/",
        {"kind": "training", "title": "明天的培训", "on": tomorrow.isoformat()},
    )
    assert not WorkerRecord.objects.exists()


def test_a_council_decision_is_followed_up_as_done_or_as_a_case(client, community_staff, district):
    council = services.hold_council(
        district["grid11"],
        actor=community_staff,
        topic="小区停车难",
        meeting_on=timezone.localdate(),
        decision="划定临时停车位",
        attendance=23,
        tasks=["物业施划车位", "协调交警增设标志"],
    )
    paint, signs = council.tasks.order_by("pk")
    client.force_login(community_staff)
    page = client.get(f"/field/councils/{council.pk}/").content.decode()
    assert "划定临时停车位" in page
    assert "物业施划车位" in page
    client.post(f"/field/council-tasks/{paint.pk}/done/")
    client.post(f"/field/council-tasks/{signs.pk}/case/")
    signs.refresh_from_db()
    paint.refresh_from_db()
    assert paint.done_on == timezone.localdate()
    case = Case.objects.get(pk=signs.case_id)
    assert case.title == "协调交警增设标志"
    page = client.get(f"/field/councils/{council.pk}/").content.decode()
    assert case.number in page
    # Once filed, not twice.
    client.post(f"/field/council-tasks/{signs.pk}/case/")
    assert Case.objects.count() == 1


def test_someone_outside_does_not_see_the_council(client, community_staff, district, outsider):
    council = services.hold_council(
        district["grid11"], actor=community_staff, topic="议题", meeting_on=timezone.localdate()
    )
    client.force_login(outsider)
    assert client.get(f"/field/councils/{council.pk}/").status_code in (403, 404)
    assert not CouncilTask.objects.exists()
