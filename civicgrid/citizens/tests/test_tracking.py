"""The private tracking page: plain words, public events only, and the citizen's rating."""

import pytest

from civicgrid.cases import lifecycle
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import CaseEvent, Rating, Status
from civicgrid.cases.tests import factories as f
from civicgrid.citizens import services
from civicgrid.notifications.models import Notification

from .conftest import drive, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(district, category):
    report = services.Report(
        description="小区北门路灯坏了三天，晚上很黑",
        phone="13812345678",
        name="李四",
        category=category,
        lng=f.point_in(district["grid11"])[0],
        lat=f.point_in(district["grid11"])[1],
    )
    from civicgrid.cases.photos import clean_photos

    return services.file_report(report, photos=clean_photos([photo()]), key="form-key-0001")


@pytest.fixture
def staff(dispatcher, handler, grid_worker, operator):
    dispatcher.first_name, dispatcher.last_name = "王", "科长"
    dispatcher.save()
    return {
        "dispatcher": dispatcher,
        "handler": handler,
        "grid_worker": grid_worker,
        "operator": operator,
    }


def test_the_tracking_page_says_where_the_case_is_in_plain_words(client, filed, staff):
    drive(filed.case, Action.ACKNOWLEDGE, **staff)
    CaseEvent.objects.create(
        case=filed.case, action="add_note", note="内部：请联系王科长 13900001111", public=False
    )

    page = client.get(f"/track/{filed.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "城市管理局 is working on it." in html
    # Public events, with the department named…
    assert "Report received" in html
    assert "Sent to the department responsible" in html
    assert "城市管理局" in html
    assert "The department took the case on" in html
    # …but no internal event, no staff name, no contact data.
    assert "内部" not in html
    assert "13900001111" not in html
    assert "王" not in html.replace("王府", "")
    assert "科长" not in html
    assert "请尽快处理" not in html  # the dispatcher's instruction to the department
    assert "13812345678" not in html
    assert page["Cache-Control"] == "private, no-store"


def test_the_reporter_sees_their_own_photos_through_the_link(client, filed):
    page = client.get(f"/track/{filed.token}/").content.decode()
    attachment = filed.case.attachments.get()
    url = f"/track/{filed.token}/photos/{attachment.pk}/"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_an_unknown_link_is_not_found(client, filed):
    assert client.get("/track/not-a-real-token-at-all/").status_code == 404
    assert (
        client.post("/track/not-a-real-token-at-all/rate/", {"rating": "satisfied"}).status_code
        == 404
    )


def test_a_satisfied_rating_is_the_callback(client, filed, staff):
    drive(filed.case, Action.VERIFY_PASS, **staff)
    page = client.get(f"/track/{filed.token}/").content.decode()
    assert "Rate how it was handled" in page
    assert "已更换路灯灯泡" in page  # the reply

    response = client.post(
        f"/track/{filed.token}/rate/", {"rating": "satisfied", "comment": "修得很快"}
    )

    assert response.status_code == 200
    case = filed.case
    case.refresh_from_db()
    assert case.status == Status.RATED
    assert case.rating == Rating.SATISFIED
    event = case.events.get(action=Action.CALLBACK)
    assert event.actor is None
    assert event.data == {"rating": "satisfied", "by": "citizen", "comment": "修得很快"}
    assert event.note == ""  # the comment stays off the public note
    html = response.content.decode()
    assert "Your rating" in html
    assert "修得很快" in html
    # The centre closes it as after a phone callback.
    lifecycle.apply(case, Action.CLOSE, actor=staff["operator"])
    assert case.status == Status.CLOSED


def test_an_unsatisfied_rating_sends_the_case_back_for_review(
    client, filed, staff, django_capture_on_commit_callbacks
):
    drive(filed.case, Action.VERIFY_PASS, **staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/track/{filed.token}/rate/", {"rating": "unsatisfied"})

    assert response.status_code == 200
    assert "The command centre is reviewing the case" in response.content.decode()
    case = filed.case
    case.refresh_from_db()
    assert case.status == Status.RATED
    assert case.rating == Rating.UNSATISFIED
    # As after an operator's unsatisfied callback: the dispatchers are told, closing is
    # refused, and the centre reopens the case for the department.
    assert Notification.objects.filter(recipient=staff["dispatcher"], case=case).exists()
    with pytest.raises(lifecycle.InvalidAction):
        lifecycle.apply(case, Action.CLOSE, actor=staff["operator"])
    lifecycle.apply(case, Action.REOPEN, actor=staff["dispatcher"], note="市民不满意，重办")
    assert case.status == Status.DISPATCHED
    assert case.reopen_count == 1


def test_a_second_rating_is_refused(client, filed, staff):
    drive(filed.case, Action.VERIFY_PASS, **staff)
    client.post(f"/track/{filed.token}/rate/", {"rating": "satisfied"})
    again = client.post(f"/track/{filed.token}/rate/", {"rating": "unsatisfied"})

    assert again.status_code == 409
    assert "This case has already been rated. Thank you." in again.content.decode()
    filed.case.refresh_from_db()
    assert filed.case.rating == Rating.SATISFIED
    assert filed.case.events.filter(action=Action.CALLBACK).count() == 1


def test_a_rating_before_the_site_check_is_refused_with_a_reason(client, filed, staff):
    drive(filed.case, Action.REPLY, **staff)
    page = client.get(f"/track/{filed.token}/").content.decode()
    assert "Rate how it was handled" not in page
    assert "You can rate it as soon as that is done." in page

    response = client.post(f"/track/{filed.token}/rate/", {"rating": "satisfied"})
    assert response.status_code == 409
    filed.case.refresh_from_db()
    assert filed.case.status == Status.REPLIED


def test_a_rating_needs_a_choice(client, filed, staff):
    drive(filed.case, Action.VERIFY_PASS, **staff)
    response = client.post(f"/track/{filed.token}/rate/", {"rating": "great"})
    assert response.status_code == 400
    filed.case.refresh_from_db()
    assert filed.case.status == Status.VERIFIED


def test_a_supporter_follows_but_cannot_rate_or_see_the_photos(client, filed, staff):
    joined = services.join_case(filed.case, phone="13900002222", key="join-key-0001")
    assert joined.case == filed.case
    drive(filed.case, Action.VERIFY_PASS, **staff)

    page = client.get(f"/track/{joined.token}/").content.decode()
    assert "A case you joined (+1)" in page
    assert "Rate how it was handled" not in page
    assert "/photos/" not in page
    attachment = filed.case.attachments.get()
    assert client.get(f"/track/{joined.token}/photos/{attachment.pk}/").status_code == 404
    response = client.post(f"/track/{joined.token}/rate/", {"rating": "unsatisfied"})
    assert response.status_code == 403
    filed.case.refresh_from_db()
    assert filed.case.status == Status.VERIFIED


def test_the_reporter_reads_their_own_words_a_supporter_only_the_public_view(client, filed, staff):
    case = filed.case
    case.content = "北门路灯坏了，我家在幸福苑3号楼2单元301室，邻居孙丽华也说了"
    case.title = "北门路灯坏了，邻居孙丽华也说了"
    case.address = "幸福苑3号楼2单元301室"
    case.save()
    joined = services.join_case(case, phone="13900002222", key="join-key-0002")
    lifecycle.apply(
        case, Action.DISPATCH, actor=staff["dispatcher"], note="请联系孙丽华 13700001111",
        main_department=staff["handler"].grants.get().department,
    )  # fmt: skip

    own = client.get(f"/track/{filed.token}/").content.decode()
    assert "我家在幸福苑3号楼2单元301室" in own  # their own words and address
    assert "请联系" not in own  # never a staff note
    assert "13700001111" not in own

    other = client.get(f"/track/{joined.token}/").content.decode()
    assert "北门路灯坏了，邻居孙**也说了" in other
    assert "孙丽华" not in other
    assert "301" not in other
    assert "请联系" not in other


def test_a_return_under_review_is_told_in_plain_words_without_the_departments_reason(
    client, filed, staff
):
    drive(filed.case, Action.ACKNOWLEDGE, **staff)
    lifecycle.apply(filed.case, Action.RETURN, actor=staff["handler"], note="内部：不归我们管")
    page = client.get(f"/track/{filed.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "checking which department is responsible" in html
    assert "The department asked the centre to find the right one" in html
    assert "不归我们管" not in html


def test_a_warm_tracking_page_reads_its_case_in_a_few_queries(
    client, filed, warm_snapshots, django_assert_num_queries
):
    url = f"/track/{filed.token}/"
    client.get(url)  # fills the per-process copies (the category tree)
    # The link, the case, its photos (the reporter's own), its public events, the
    # supporters' count; the category and its parents from the per-process tree.
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
