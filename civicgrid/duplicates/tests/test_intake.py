"""At intake: possible duplicates as the operator types, merge into one, or the caller joins."""

from django.urls import reverse

from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Status
from civicgrid.cases.tests import factories as f
from civicgrid.duplicates.models import Supporter

LAMP = ("幸福小区南门路灯不亮", "幸福小区南门外的路灯坏了三天，晚上一片漆黑，老人出门很危险。")


def form_data(grid, category, **overrides):
    lng, lat = f.point_in(grid)
    data = {
        "channel": "hotline",
        "request_type": "complaint",
        "category": category.pk,
        "title": "反映幸福小区南门路灯不亮",
        "content": "我也遇到同样的问题，幸福小区南门外的路灯坏了三天，晚上一片漆黑。",
        "lng": lng,
        "lat": lat,
        "datum": "wgs84",
        "reporter_name": "赵六",
        "reporter_phone": "13799998888",
    }
    data.update(overrides)
    return data


def test_the_intake_page_asks_for_possible_duplicates(client, operator):
    client.force_login(operator)
    page = client.get(reverse("cases:intake")).content.decode()
    assert "Possible duplicates" in page
    assert reverse("duplicates:intake_candidates") in page


def test_possible_duplicates_show_as_the_operator_types(client, neighbours, operator, category):
    first = f.make_case(
        actor=operator, grid=neighbours["grid12"], category=category, title=LAMP[0], content=LAMP[1]
    )
    client.force_login(operator)
    data = form_data(neighbours["grid11"], category)
    fields = {k: data[k] for k in ("title", "content", "lng", "lat", "datum", "category")}
    page = client.get(
        reverse("duplicates:intake_candidates"), fields, headers={"HX-Request": "true"}
    ).content.decode()
    assert first.number in page
    assert "likely duplicate" in page
    assert "neighbouring grid" in page
    assert reverse("duplicates:intake_merge", args=[first.number]) in page
    assert reverse("duplicates:intake_join", args=[first.number]) in page


def test_without_a_position_or_category_the_operator_is_told_what_is_missing(
    client, neighbours, operator
):
    client.force_login(operator)
    page = client.get(
        reverse("duplicates:intake_candidates"), {"title": "路灯不亮", "lng": "abc"}
    ).content.decode()
    assert "Give a position inside a grid, or a category" in page


def test_register_and_merge_at_once(client, neighbours, operator, category):
    first = f.make_case(actor=operator, grid=neighbours["grid11"], category=category)
    client.force_login(operator)
    response = client.post(
        reverse("duplicates:intake_merge", args=[first.number]),
        form_data(neighbours["grid11"], category),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[first.number])
    repeat = Case.objects.exclude(pk=first.pk).get()
    assert repeat.status == Status.MERGED
    assert repeat.merged_into == first
    assert first.events.filter(action=Note.MERGED_FROM, data__case=repeat.number).exists()


def test_register_and_merge_sent_twice_files_one_case(client, neighbours, operator, category):
    first = f.make_case(actor=operator, grid=neighbours["grid11"], category=category)
    client.force_login(operator)
    data = {**form_data(neighbours["grid11"], category), "client_key": "double-click-0002"}
    for _ in range(2):
        response = client.post(reverse("duplicates:intake_merge", args=[first.number]), data)
        assert response["Location"] == reverse("cases:detail", args=[first.number])
    repeat = Case.objects.exclude(pk=first.pk).get()
    assert repeat.merged_into == first
    assert first.events.filter(action=Note.MERGED_FROM).count() == 1


def test_an_invalid_form_merges_nothing(client, neighbours, operator, category):
    first = f.make_case(actor=operator, grid=neighbours["grid11"], category=category)
    client.force_login(operator)
    response = client.post(
        reverse("duplicates:intake_merge", args=[first.number]),
        form_data(neighbours["grid11"], category, title=""),
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert Case.objects.count() == 1


def test_merging_into_a_closed_case_registers_nothing(
    client, neighbours, operator, dispatcher, category
):
    from civicgrid.cases import lifecycle

    first = f.make_case(actor=operator, grid=neighbours["grid11"], category=category)
    lifecycle.apply(first, Action.ANSWER_DIRECTLY, actor=dispatcher, answer="已答复。")
    client.force_login(operator)
    response = client.post(
        reverse("duplicates:intake_merge", args=[first.number]),
        form_data(neighbours["grid11"], category),
    )
    assert response.status_code == 400
    assert "is closed" in response.content.decode()
    assert Case.objects.count() == 1


def test_the_caller_joins_instead_of_a_new_case(client, neighbours, operator, category):
    first = f.make_case(actor=operator, grid=neighbours["grid11"], category=category)
    client.force_login(operator)
    response = client.post(
        reverse("duplicates:intake_join", args=[first.number]),
        form_data(neighbours["grid11"], category),
    )
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert Supporter.objects.get().case == first
    again = client.post(
        reverse("duplicates:intake_join", args=[first.number]),
        form_data(neighbours["grid11"], category),
    )
    assert again.status_code == 400
    assert "already joined" in again.content.decode()
    assert Supporter.objects.count() == 1


def test_a_caller_name_too_long_to_keep_is_refused_at_intake(
    client, neighbours, operator, category
):
    first = f.make_case(actor=operator, grid=neighbours["grid11"], category=category)
    client.force_login(operator)
    response = client.post(
        reverse("duplicates:intake_join", args=[first.number]),
        form_data(neighbours["grid11"], category, reporter_name="长" * 51),
    )
    assert response.status_code == 400
    assert "at most 50 characters" in response.content.decode()
    assert not Supporter.objects.exists()


def test_a_grid_worker_is_offered_join_but_not_merge(
    client, neighbours, grid_worker, operator, category
):
    first = f.make_case(
        actor=operator, grid=neighbours["grid11"], category=category, title=LAMP[0], content=LAMP[1]
    )
    client.force_login(grid_worker)
    page = client.get(
        reverse("duplicates:intake_candidates"),
        {k: v for k, v in form_data(neighbours["grid11"], category).items() if k != "channel"},
    ).content.decode()
    assert first.number in page
    assert reverse("duplicates:intake_merge", args=[first.number]) not in page


def test_a_handler_cannot_use_the_intake_helpers(client, new_case, handler):
    client.force_login(handler)
    assert client.get(reverse("duplicates:intake_candidates")).status_code == 403
    url = reverse("duplicates:intake_join", args=[new_case.number])
    assert client.post(url, {"reporter_phone": "13900001111"}).status_code == 403


def test_an_operator_elsewhere_is_shown_no_cases_of_the_category_without_a_position(
    client, district, operator, outsider, category
):
    unplaced = f.make_case(actor=operator, category=category, title=LAMP[0], content=LAMP[1])
    fields = {"title": LAMP[0], "content": LAMP[1], "category": category.pk}
    client.force_login(operator)
    assert (
        unplaced.number
        in client.get(reverse("duplicates:intake_candidates"), fields).content.decode()
    )
    client.force_login(outsider)
    page = client.get(reverse("duplicates:intake_candidates"), fields).content.decode()
    assert unplaced.number not in page
    assert LAMP[0] not in page
