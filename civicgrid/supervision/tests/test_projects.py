"""Problems of the month (未诉先办): a hot issue becomes a project with an owner unit,
milestones and progress, shown on the leaders' one screen."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases.lifecycle import ActionRefused, InvalidAction
from civicgrid.supervision import projects
from civicgrid.supervision.models import Project, ProjectStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(leader, bureau, district):
    return projects.create_project(
        actor=leader,
        title="老旧小区停车难",
        owner=bureau,
        region=district["street1"],
        due_on=timezone.localdate() + timedelta(days=30),
        source="热点: 停车",
    )


def test_a_leader_takes_on_a_problem_and_its_progress_follows_the_milestones(
    project, leader, handler
):
    today = timezone.localdate()
    first = projects.add_milestone(project, actor=leader, title="摸排车位", due_on=today)
    projects.add_milestone(
        project, actor=leader, title="施划车位", due_on=today + timedelta(days=9)
    )
    assert projects.complete_milestone(first, actor=handler, note="已摸排") is True
    assert projects.complete_milestone(first, actor=handler) is False  # twice: once
    shown = Project.objects.with_progress().get(pk=project.pk)
    assert shown.progress == 50


def test_a_milestone_after_the_project_is_refused(project, leader):
    with pytest.raises(InvalidAction):
        projects.add_milestone(
            project, actor=leader, title="晚了", due_on=project.due_on + timedelta(days=1)
        )
    assert not project.milestones.exists()


def test_only_the_centre_creates_and_only_the_owner_marks_done(
    project, handler, other_handler, leader, bureau, district
):
    with pytest.raises(ActionRefused):
        projects.create_project(
            actor=handler,
            title="x",
            owner=bureau,
            region=district["street1"],
            due_on=timezone.localdate(),
        )
    step = projects.add_milestone(project, actor=leader, title="摸排", due_on=timezone.localdate())
    with pytest.raises(ActionRefused):
        projects.complete_milestone(step, actor=other_handler)


def test_the_project_shows_on_the_one_screen_until_closed(client, project, leader):
    client.force_login(leader)
    assert project.title in client.get(reverse("analytics:screen")).content.decode()
    assert projects.close_project(project, actor=leader) is True
    assert project.status == ProjectStatus.DONE
    assert project.title not in client.get(reverse("analytics:screen")).content.decode()


def test_the_pages_create_a_project_and_mark_a_milestone_done(client, leader, bureau, district):
    client.force_login(leader)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post(
        reverse("supervision:projects"),
        {"title": "夜市噪音", "owner": bureau.pk, "region": district["street2"].pk, "due_on": due},
    )
    project = Project.objects.get()
    assert response.url == reverse("supervision:project", args=[project.pk])
    client.post(
        reverse("supervision:milestone_add", args=[project.pk]),
        {"title": "约谈摊主", "due_on": due},
    )
    step = project.milestones.get()
    client.post(reverse("supervision:milestone_done", args=[project.pk, step.pk]))
    page = client.get(reverse("supervision:project", args=[project.pk])).content.decode()
    assert "1 of 1 milestones done" in page


def test_a_project_without_a_title_is_refused_and_nothing_is_made(client, leader, bureau, district):
    client.force_login(leader)
    client.post(
        reverse("supervision:projects"),
        {"title": "", "owner": bureau.pk, "region": district["street2"].pk, "due_on": "2030-01-01"},
    )
    assert not Project.objects.exists()


def test_the_api_lists_projects_and_the_owner_marks_a_milestone_done(
    client, project, leader, handler, operator
):
    from civicgrid.accounts.models import ApiToken

    step = projects.add_milestone(project, actor=leader, title="摸排", due_on=timezone.localdate())

    def bearer(user):
        return {"Authorization": f"Bearer {ApiToken.issue(user, 'test')[1]}"}

    listed = client.get("/api/supervision/projects", headers=bearer(leader)).json()
    assert [(p["title"], p["progress"]) for p in listed] == [("老旧小区停车难", 0)]
    assert client.get("/api/supervision/projects", headers=bearer(operator)).status_code == 403
    done = client.post(
        f"/api/supervision/projects/{project.pk}/milestones/{step.pk}/done", headers=bearer(handler)
    )
    assert done.status_code == 200
    assert done.json()["done_at"] is not None
