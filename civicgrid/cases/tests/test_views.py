"""The server-rendered case pages, as each persona uses them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases import lifecycle, services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Attachment, Case, Status
from civicgrid.cases.tests import factories as f
from civicgrid.core.models import PersonalDataRead


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def signed_in(client, user):
    client.force_login(user)
    return client


def act_url(case, action):
    return reverse("cases:act", args=[case.number, action])


def detail_url(case):
    return reverse("cases:detail", args=[case.number])


def refreshed(case):
    return Case.objects.get(pk=case.pk)


def dispatched(case, dispatcher, bureau, co=()):
    services.act(
        case,
        Action.DISPATCH,
        actor=dispatcher,
        main_department=bureau.pk,
        co_departments=[d.pk for d in co],
    )
    return refreshed(case)


def replied(case, dispatcher, handler, bureau):
    case = dispatched(case, dispatcher, bureau)
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    services.act(case, Action.REPLY, actor=handler, reply="路灯已修复。")
    return refreshed(case)


def verified(case, dispatcher, handler, grid_worker, bureau):
    case = replied(case, dispatcher, handler, bureau)
    services.act(case, Action.VERIFY_PASS, actor=grid_worker)
    return refreshed(case)


def intake_data(district, category, **overrides):
    lng, lat = f.point_in(district["grid11"])
    data = {
        "channel": "hotline",
        "request_type": "help",
        "category": str(category.pk),
        "urgency": "",
        "title": "井盖缺失",
        "content": "人民路口的井盖丢了，很危险。",
        "address": "人民路 1 号",
        "lng": str(lng),
        "lat": str(lat),
        "datum": "wgs84",
        "reporter_name": "李四",
        "reporter_phone": "13900001111",
    }
    data.update(overrides)
    return data


# --- home and sign-in ----------------------------------------------------------------


def test_someone_not_signed_in_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("operator", "cases:intake"),
        ("dispatcher", "triage:queue"),
        ("handler", "cases:inbox"),
        ("grid_worker", "gridwork:home"),
        ("leader", "analytics:map"),
    ],
)
def test_home_sends_each_role_to_the_page_its_work_starts_on(client, request, persona, page):
    signed_in(client, request.getfixturevalue(persona))
    response = client.get(reverse("home"))
    assert response["Location"] == reverse(page)


def test_a_member_of_staff_signs_in_with_the_login_form(client, operator):
    response = client.post(
        reverse("accounts:login"), {"username": "operator", "password": "pw-for-tests"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("cases:intake")


def test_a_page_of_another_role_is_refused_with_a_reason(client, handler):
    response = signed_in(client, handler).get(reverse("triage:queue"))
    assert response.status_code == 403
    assert "Triage" in response.content.decode()


def test_the_menu_shows_the_pages_of_the_role(client, handler):
    html = signed_in(client, handler).get(reverse("cases:inbox")).content.decode()
    assert reverse("cases:inbox") in html
    assert reverse("cases:intake") not in html


# --- intake ----------------------------------------------------------------------------


def test_an_operator_files_a_case_through_the_intake_form_and_sees_its_number(
    client, operator, district, category
):
    signed_in(client, operator)
    response = client.post(reverse("cases:intake"), intake_data(district, category), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == detail_url(case)
    html = response.content.decode()
    assert f"Case {case.number} registered." in html
    assert case.grid == district["grid11"]
    assert case.status == Status.REGISTERED
    assert case.created_by == operator


def test_a_point_outside_every_grid_is_kept_and_flagged_for_manual_placement(
    client, operator, district, category
):
    signed_in(client, operator)
    data = intake_data(district, category, lng="118.30", lat="37.30")
    response = client.post(reverse("cases:intake"), data, follow=True)
    case = Case.objects.get()
    assert case.needs_placement
    assert "flagged for manual placement" in response.content.decode()


def test_a_case_without_any_position_says_it_waits_to_be_placed(
    client, operator, district, category
):
    signed_in(client, operator)
    data = intake_data(district, category, lng="", lat="", address="")
    html = client.post(reverse("cases:intake"), data, follow=True).content.decode()
    case = Case.objects.get()
    assert case.needs_placement
    assert case.lng is None
    assert "No position was given" in html
    assert "no position inside a grid" not in html


def test_a_call_answered_at_intake_is_not_sent_to_be_placed(client, operator, district, category):
    signed_in(client, operator)
    data = intake_data(
        district,
        category,
        lng="118.30",
        lat="37.30",
        request_type="inquiry",
        answer="周一至周五 9 点到 17 点办理。",
        answer_directly="1",
    )
    html = client.post(reverse("cases:intake"), data, follow=True).content.decode()
    case = Case.objects.get()
    assert case.status == Status.CLOSED
    assert "on the triage page" not in html
    assert "needs placement</span>" not in html


def test_an_empty_title_shows_the_error_and_creates_nothing(client, operator, district, category):
    signed_in(client, operator)
    response = client.post(reverse("cases:intake"), intake_data(district, category, title=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the marked fields." in html
    assert 'aria-invalid="true"' in html
    assert Case.objects.count() == 0


def test_a_bad_phone_number_is_refused_by_the_service_and_shown_at_the_field(
    client, operator, district, category
):
    signed_in(client, operator)
    data = intake_data(district, category, reporter_phone="12")
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 400
    assert "This does not look like a phone number." in response.content.decode()
    assert Case.objects.count() == 0


def test_the_intake_form_sent_twice_files_one_case(client, operator, district, category):
    """A double click on "Register the case": the second post finds the first case."""
    signed_in(client, operator)
    page = client.get(reverse("cases:intake")).content.decode()
    key = page.split('name="client_key" value="', 1)[1].split('"', 1)[0]
    data = intake_data(district, category, client_key=key)

    first = client.post(reverse("cases:intake"), data)
    second = client.post(reverse("cases:intake"), data, follow=True)

    case = Case.objects.get()
    assert first["Location"] == detail_url(case)
    assert second.redirect_chain[-1][0] == detail_url(case)
    assert f"Case {case.number} had already arrived; it was not filed twice." in (
        second.content.decode()
    )


def test_each_intake_form_shown_files_its_own_case(client, operator, district, category):
    signed_in(client, operator)
    for _ in range(2):
        page = client.get(reverse("cases:intake")).content.decode()
        key = page.split('name="client_key" value="', 1)[1].split('"', 1)[0]
        client.post(reverse("cases:intake"), intake_data(district, category, client_key=key))
    assert Case.objects.count() == 2


def test_a_description_over_the_limit_is_refused_and_what_was_typed_stays(
    client, operator, district, category
):
    signed_in(client, operator)
    data = intake_data(district, category, content="长" * 2001)
    response = client.post(reverse("cases:intake"), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 2000 characters (it has 2001)." in html
    assert 'value="井盖缺失"' in html  # the title typed is still there
    assert Case.objects.count() == 0
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.post(reverse("cases:intake"), data).content.decode()
    assert "确保该变量包含不超过 2000 字符 (目前字符数 2001)。" in html


def test_the_intake_form_tells_the_browser_each_limit_and_where_to_count(client, operator):
    html = signed_in(client, operator).get(reverse("cases:intake")).content.decode()
    assert 'name="content" cols="40" rows="5" maxlength="2000"' in html
    assert 'name="title" data-counter="" maxlength="200"' in html
    assert 'name="address" data-counter="" maxlength="255"' in html
    assert "civicgrid/forms.js" in html


def test_a_reply_or_a_note_over_the_limit_is_refused_and_nothing_is_saved(
    client, dispatcher, handler, bureau, new_case
):
    case = dispatched(new_case, dispatcher, bureau)
    signed_in(client, handler)
    client.post(act_url(case, Action.ACKNOWLEDGE))
    events = case.events.count()
    reply = client.post(act_url(case, Action.REPLY), {"reply-reply": "复" * 2001})
    ask = client.post(
        act_url(case, Action.REQUEST_EXTENSION),
        {"request_extension-days": "2", "request_extension-note": "因" * 1001},
    )

    assert reply.status_code == ask.status_code == 400
    assert "at most 2000 characters (it has 2001)" in reply.content.decode()
    assert "at most 1000 characters (it has 1001)" in ask.content.decode()
    assert case.events.count() == events
    assert refreshed(case).status == Status.HANDLING


def test_a_file_over_the_limit_is_named_at_the_top_and_what_was_typed_stays(
    client, operator, district, category
):
    signed_in(client, operator)
    big = SimpleUploadedFile("现场录像.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    data = intake_data(district, category, attachments=[big])
    response = client.post(reverse("cases:intake"), data)

    assert response.status_code == 400
    html = response.content.decode()
    top = html.split("data-form-errors", 1)[1].split("</div>", 1)[0]
    linked = '<a href="#id_attachments">Photos and documents: “现场录像.pdf” is larger than 10 MB.'
    assert linked in top
    assert html.index("data-form-errors") < html.index('id="id_title"')
    for typed in ("井盖缺失", "人民路口的井盖丢了，很危险。", "人民路 1 号", "13900001111"):
        assert typed in html
    assert Case.objects.count() == 0


def test_intake_stores_the_photos_with_the_case(client, operator, district, category):
    signed_in(client, operator)
    photos = [
        f.make_image("a.jpg"),
        f.make_image("b.png"),
    ]
    data = intake_data(district, category, attachments=photos)
    client.post(reverse("cases:intake"), data)
    case = Case.objects.get()
    assert sorted(case.attachments.values_list("name", flat=True)) == ["a.jpg", "b.png"]
    assert all(a.event.action == Action.REGISTER for a in case.attachments.all())


def test_intake_refuses_a_file_type_it_does_not_keep(client, operator, district, category):
    signed_in(client, operator)
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")
    response = client.post(
        reverse("cases:intake"), intake_data(district, category, attachments=[bad])
    )
    assert response.status_code == 400
    assert "is not a photo, PDF, Word or text file" in response.content.decode()
    assert Case.objects.count() == 0


def test_the_callers_earlier_cases_show_as_the_phone_is_typed_masked(client, operator, new_case):
    signed_in(client, operator)
    response = client.get(
        reverse("cases:earlier_cases"), {"reporter_phone": "138 1234 5678"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert new_case.number in html
    assert "138****5678" in html
    assert "13812345678" not in html
    assert "<html" not in html  # a fragment for htmx


def test_earlier_cases_of_another_district_are_not_shown(client, outsider, new_case):
    signed_in(client, outsider)
    response = client.get(reverse("cases:earlier_cases"), {"reporter_phone": "13812345678"})
    assert new_case.number not in response.content.decode()


# --- case detail -----------------------------------------------------------------------


def test_an_outsider_gets_404_for_the_case_detail(client, outsider, new_case):
    assert signed_in(client, outsider).get(detail_url(new_case)).status_code == 404


def test_the_detail_shows_the_timeline_and_masks_the_contact(client, dispatcher, new_case):
    html = signed_in(client, dispatcher).get(detail_url(new_case)).content.decode()
    assert new_case.title in html
    assert "Register" in html  # the timeline's first event, by its action label
    assert "138****5678" in html
    assert "13812345678" not in html
    assert 'class="map map-medium"' in html


def test_the_detail_offers_the_actions_the_user_may_take_now(
    client, dispatcher, operator, new_case
):
    html = signed_in(client, dispatcher).get(detail_url(new_case)).content.decode()
    assert act_url(new_case, Action.DISPATCH) in html
    html = signed_in(client, operator).get(detail_url(new_case)).content.decode()
    assert act_url(new_case, Action.ANSWER_DIRECTLY) in html
    assert act_url(new_case, Action.DISPATCH) not in html


def test_revealing_the_contact_shows_it_and_is_audited(client, operator, new_case):
    signed_in(client, operator)
    response = client.post(reverse("cases:contact", args=[new_case.number]), HTTP_HX_REQUEST="true")
    assert "13812345678" in response.content.decode()
    read = PersonalDataRead.objects.get()
    assert (read.user, read.subject) == (operator, new_case.number)


def test_an_inquiry_is_answered_directly_from_the_detail_page(client, operator, district, category):
    case = f.make_case(
        actor=operator, grid=district["grid11"], category=category, request_type="inquiry"
    )
    signed_in(client, operator)
    response = client.post(
        act_url(case, Action.ANSWER_DIRECTLY),
        {"answer_directly-answer": "周一至周五 9 点到 17 点办理。"},
    )
    assert response.status_code == 302
    case = refreshed(case)
    assert case.status == Status.CLOSED
    assert case.reply == "周一至周五 9 点到 17 点办理。"


def test_an_attachment_is_served_only_to_those_who_see_the_case(
    client, operator, outsider, new_case
):
    stored = services.attach(new_case, f.make_image("p.jpg"), actor=operator)
    url = reverse("cases:attachment", args=[new_case.number, stored.pk])
    assert signed_in(client, operator).get(url).status_code == 200
    assert signed_in(client, outsider).get(url).status_code == 404


# --- department inbox ------------------------------------------------------------------


def test_a_handler_of_another_district_cannot_acknowledge(
    client, dispatcher, bureau, new_case, other_handler
):
    case = dispatched(new_case, dispatcher, bureau)
    response = signed_in(client, other_handler).post(act_url(case, Action.ACKNOWLEDGE))
    assert response.status_code == 404
    assert refreshed(case).status == Status.DISPATCHED
    assert case.number not in client.get(reverse("cases:inbox")).content.decode()


def test_a_co_handling_department_sees_the_case_but_is_told_it_cannot_acknowledge(
    client, dispatcher, bureau, new_case, other_bureau, other_handler
):
    case = dispatched(new_case, dispatcher, bureau, co=[other_bureau])
    signed_in(client, other_handler)
    assert case.number in client.get(reverse("cases:inbox")).content.decode()
    response = client.post(act_url(case, Action.ACKNOWLEDGE))
    assert response.status_code == 403
    assert "This case is not assigned to your department." in response.content.decode()
    assert refreshed(case).status == Status.DISPATCHED


def test_a_handler_acknowledges_and_replies_with_a_document(
    client, dispatcher, handler, bureau, new_case
):
    case = dispatched(new_case, dispatcher, bureau)
    signed_in(client, handler)
    client.post(act_url(case, Action.ACKNOWLEDGE))
    assert refreshed(case).status == Status.HANDLING
    report = SimpleUploadedFile("report.pdf", b"%PDF-1.4", content_type="application/pdf")
    client.post(
        act_url(case, Action.REPLY), {"reply-reply": "已更换灯泡。", "reply-files": [report]}
    )
    case = refreshed(case)
    assert case.status == Status.REPLIED
    assert Attachment.objects.get(case=case).event.action == Action.REPLY


def test_returning_a_case_needs_a_reason(client, dispatcher, handler, bureau, new_case):
    case = dispatched(new_case, dispatcher, bureau)
    response = signed_in(client, handler).post(act_url(case, Action.RETURN), {"return-note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    # The return form comes back open, its reason field marked as missing.
    assert '<details class="action action-danger" open>' in html
    assert f'aria-describedby="id_{case.pk}_return-note_error"' in html
    assert html.count(" open>") == 1  # only the form being corrected is open
    assert refreshed(case).status == Status.DISPATCHED


def test_a_return_accepted_leaves_the_inbox_and_the_handler_lands_on_their_home(
    client, dispatcher, handler, bureau, new_case
):
    case = dispatched(new_case, dispatcher, bureau)
    response = signed_in(client, handler).post(
        act_url(case, Action.RETURN), {"return-note": "不属于本单位职责"}
    )
    # Asked, not yet done: the department still has the case, waiting for the review.
    assert response["Location"] == reverse("cases:detail", args=[case.number])
    assert refreshed(case).status == Status.RETURN_REQUESTED
    services.act(refreshed(case), Action.ACCEPT_RETURN, actor=dispatcher)
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 404
    inbox = client.get(reverse("cases:inbox")).content.decode()
    # Out of the queue; the decision is shown under 退单, with no link to the case.
    returns = inbox[
        inbox.index('id="own-returns"') : inbox.index("</section>", inbox.index('id="own-returns"'))
    ]
    assert f'data-case="{case.number}" data-return="accept_return"' in returns
    assert reverse("cases:detail", args=[case.number]) not in inbox
    assert inbox.count(case.number) == returns.count(case.number)


def test_an_extension_beyond_what_is_left_is_refused_with_the_lifecycle_message(
    client, dispatcher, handler, bureau, new_case
):
    case = dispatched(new_case, dispatcher, bureau)
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    services.act(case, Action.REQUEST_EXTENSION, actor=handler, days=6, note="需要采购配件")
    services.act(refreshed(case), Action.APPROVE_EXTENSION, actor=dispatcher)
    response = signed_in(client, handler).post(
        act_url(case, Action.REQUEST_EXTENSION),
        {"request_extension-days": "5", "request_extension-note": "配件还没到"},
    )
    assert response.status_code == 400
    assert "this case has 4 left" in response.content.decode()
    assert refreshed(case).status == Status.HANDLING


def test_the_inbox_filters_by_traffic_light(
    client, operator, dispatcher, handler, district, category, bureau
):
    late = dispatched(
        f.make_case(actor=operator, grid=district["grid11"], category=category, title="逾期的"),
        dispatcher,
        bureau,
    )
    fresh = dispatched(
        f.make_case(actor=operator, grid=district["grid12"], category=category, title="新派的"),
        dispatcher,
        bureau,
    )
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    html = signed_in(client, handler).get(reverse("cases:inbox"), {"light": "red"}).content.decode()
    assert late.number in html
    assert fresh.number not in html


def test_a_concurrent_update_is_shown_with_its_message(
    client, dispatcher, bureau, new_case, monkeypatch
):
    def overtaken(*args, **kwargs):
        raise lifecycle.ConcurrentUpdate("Someone else changed this case a moment ago.")

    monkeypatch.setattr(services, "act", overtaken)
    response = signed_in(client, dispatcher).post(
        act_url(new_case, Action.DISPATCH), {"dispatch-main_department": bureau.pk}
    )
    assert response.status_code == 409
    assert "Someone else changed this case a moment ago." in response.content.decode()


def test_an_action_the_status_does_not_allow_is_a_conflict(client, operator, new_case):
    response = signed_in(client, operator).post(act_url(new_case, Action.CLOSE))
    assert response.status_code == 409
    assert refreshed(new_case).status == Status.REGISTERED


# --- grid worker -----------------------------------------------------------------------


def test_a_grid_worker_verifies_a_replied_case_from_the_tasks_page(
    client, dispatcher, handler, grid_worker, bureau, new_case
):
    case = replied(new_case, dispatcher, handler, bureau)
    signed_in(client, grid_worker)
    html = client.get(reverse("cases:tasks")).content.decode()
    assert case.number in html
    assert "路灯已修复。" in html
    failed = client.post(act_url(case, Action.VERIFY_FAIL), {"verify_fail-note": ""})
    assert failed.status_code == 400
    client.post(
        act_url(case, Action.VERIFY_PASS), {"verify_pass-note": "现场已亮灯", "next": "/tasks/"}
    )
    assert refreshed(case).status == Status.VERIFIED


def test_a_grid_worker_does_not_see_tasks_of_other_grids(
    client, operator, dispatcher, handler, grid_worker, district, category, bureau
):
    elsewhere = f.make_case(actor=operator, grid=district["grid21"], category=category)
    elsewhere = replied(elsewhere, dispatcher, handler, bureau)
    html = signed_in(client, grid_worker).get(reverse("cases:tasks")).content.decode()
    assert elsewhere.number not in html


# --- callbacks -------------------------------------------------------------------------


def test_an_unsatisfied_callback_leads_to_reopening_not_closing(
    client, operator, dispatcher, handler, grid_worker, bureau, new_case
):
    case = verified(new_case, dispatcher, handler, grid_worker, bureau)
    signed_in(client, operator)
    html = client.get(reverse("cases:callbacks")).content.decode()
    assert case.number in html
    assert "138****5678" in html
    client.post(
        act_url(case, Action.CALLBACK),
        {"callback-rating": "unsatisfied", "callback-note": "灯还是不亮"},
    )
    assert refreshed(case).status == Status.RATED
    refused = client.post(act_url(case, Action.CLOSE))
    assert refused.status_code == 400
    assert "reopen the case instead" in refused.content.decode()
    client.post(act_url(case, Action.REOPEN), {"reopen-note": "市民不满意"})
    assert refreshed(case).status == Status.DISPATCHED


# --- case list -------------------------------------------------------------------------


def test_the_case_list_filters_by_text_and_status(client, leader, operator, district, category):
    lamp = f.make_case(actor=operator, grid=district["grid11"], category=category, title="路灯不亮")
    noise = f.make_case(
        actor=operator, grid=district["grid12"], category=category, title="夜间噪音"
    )
    signed_in(client, leader)
    html = client.get(reverse("cases:list"), {"text": "噪音"}).content.decode()
    assert noise.number in html
    assert lamp.number not in html
    html = client.get(reverse("cases:list"), {"group": "closed"}).content.decode()
    assert noise.number not in html


def test_the_case_list_filters_by_region_from_the_map(client, leader, operator, district, category):
    here = f.make_case(actor=operator, grid=district["grid11"], category=category)
    there = f.make_case(actor=operator, grid=district["grid21"], category=category)
    html = (
        signed_in(client, leader)
        .get(reverse("cases:list"), {"region": district["street1"].code})
        .content.decode()
    )
    assert here.number in html
    assert there.number not in html


# --- query counts: lists must not grow with their rows -----------------------------------


@pytest.fixture
def many_cases(operator, dispatcher, district, category, bureau):
    cases = [
        f.make_case(
            actor=operator,
            grid=district[f"grid{1 + i % 2}{1 + i // 2 % 2}"],
            category=category,
            title=f"第{i}件",
        )
        for i in range(12)
    ]
    return cases


def test_the_case_list_runs_a_fixed_number_of_queries(
    client, leader, many_cases, django_assert_max_num_queries, warm_snapshots
):
    signed_in(client, leader)
    client.get(reverse("cases:list"))  # warm (see ``warm_snapshots``)
    # (+1 per case list: the ids of the cases opened to the user, listed so the scope's
    # OR reads indexes; docs/performance.md)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:list"))
    assert response.content.decode().count("/cases/2") >= 12


def test_the_inbox_runs_a_fixed_number_of_queries(
    client, dispatcher, handler, bureau, many_cases, django_assert_max_num_queries, warm_snapshots
):
    for case in many_cases:
        dispatched(case, dispatcher, bureau)
    signed_in(client, handler)
    client.get(reverse("cases:inbox"))  # warm (see ``warm_snapshots``)
    # … the summonses (吹哨) and supervision orders (督办) waiting for it, and its returns (退单)
    # (+2 for each of its three case lists: the ids of the cases opened to the handler
    # and co-handled by the department, listed so the scope's OR reads indexes)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("cases:inbox"))
    assert all(case.number in response.content.decode() for case in many_cases)


def test_the_tasks_and_callbacks_run_a_fixed_number_of_queries(
    client,
    dispatcher,
    handler,
    grid_worker,
    operator,
    bureau,
    district,
    many_cases,
    django_assert_max_num_queries,
    warm_snapshots,
):
    mine = [c for c in many_cases if c.grid in (district["grid11"], district["grid12"])]
    for case in mine:
        replied(case, dispatcher, handler, bureau)
    signed_in(client, grid_worker)
    client.get(reverse("cases:tasks"))  # warm (see ``warm_snapshots``)
    # (+1 per case list: the ids of the cases opened to the user, listed so the scope's
    # OR reads indexes; docs/performance.md)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:tasks"))
    assert all(case.number in response.content.decode() for case in mine)
    for case in mine:
        services.act(refreshed(case), Action.VERIFY_PASS, actor=grid_worker)
    signed_in(client, operator)
    client.get(reverse("cases:callbacks"))  # warm
    # One more for the cases merged into these (their reporters are called back too),
    # one for their failed tries, one to count the cases waiting for a later try; and
    # for each of its four scoped reads the ids of the cases opened to the operator,
    # listed so the scope's OR reads indexes (docs/performance.md).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("cases:callbacks"))
    assert all(case.number in response.content.decode() for case in mine)


# --- language ----------------------------------------------------------------------------


def test_chinese_is_the_default_language(client, operator):
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    response = signed_in(client, operator).get(reverse("cases:intake"))
    assert '<html lang="zh-hans">' in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_the_language_switch_to_english_shows_english_labels(client, operator):
    signed_in(client, operator)
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/intake/"})
    assert switched["Location"] == "/intake/"
    response = client.get(reverse("cases:intake"))
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert '<button type="submit" name="language" value="en" lang="en" aria-pressed="true">' in html
    assert "Register the case" in html
    assert "Log out" in html


def test_a_staff_upload_without_a_multipart_boundary_is_a_clear_400(client, operator, new_case):
    response = signed_in(client, operator).generic(
        "POST",
        reverse("cases:intake"),
        b'--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--x--\r\n',
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert Case.objects.count() == 1
