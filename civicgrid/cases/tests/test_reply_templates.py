"""Reply templates (常用语, #10): a handler replying and an operator answering directly
pick a standard phrase of the case's category (or one above it) and their department."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.cases import phrases, services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, ReplyTemplate
from civicgrid.cases.tests import factories as f
from civicgrid.routing.models import RequestType

pytestmark = pytest.mark.django_db


@pytest.fixture
def streetlights(category):
    """A category below the fixture's 市容环境 (01), as real trees are deeper."""
    return f.make_category("路灯", code="0101", parent=category)


@pytest.fixture
def templates(category, streetlights, bureau, other_bureau):
    noise = f.make_category("施工噪音", code="0201", parent=f.make_category("噪音", code="02"))

    def make(title, text, **kw):
        return ReplyTemplate.objects.create(title=title, text=text, **kw)

    return {
        "shared": make("通用开头", "您好！关于工单{case_number}，现答复如下：", position=10),
        "parent": make("市容通用", "已安排人员处理。", category=category, department=bureau),
        "leaf": make(
            "路灯已修复",
            "已于{date}更换灯具（{category}）。",
            category=streetlights,
            department=bureau,
        ),
        "leaf_shared": make("路灯口径", "路灯由城管维护。", category=streetlights),
        "other_department": make("邻区口径", "邻区专用。", department=other_bureau),
        "other_category": make("噪音口径", "噪音答复。", category=noise),
        "retired": make("旧口径", "不再使用。", active=False),
    }


@pytest.fixture
def handling(operator, dispatcher, handler, bureau, district, streetlights):
    case = f.make_case(actor=operator, grid=district["grid11"], category=streetlights)
    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    services.act(case, Action.ACKNOWLEDGE, actor=handler)
    return case


def test_the_reply_form_offers_the_category_and_department_phrases_most_specific_first(
    client, handler, handling, templates
):
    client.force_login(handler)
    # The inbox row's forms, as its button loads them.
    forms = reverse("cases:row_forms", args=[handling.number, "inbox"])
    html = client.get(forms).content.decode()
    assert 'data-phrases="reply-reply"' in html
    titles = ["路灯已修复", "路灯口径", "市容通用", "通用开头"]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)  # the case's own category, its parent, all
    for absent in ("邻区口径", "噪音口径", "旧口径"):
        assert absent not in html
    # Placeholders filled: the number, today, the category.
    assert f"您好！关于工单{handling.number}，现答复如下：" in html
    today = timezone.localdate()
    assert f"已于{today.year}年{today.month}月{today.day}日更换灯具（路灯）。" in html
    # The list is there to copy without the script; the script shows "Insert".
    assert "data-phrase-insert hidden" in html


def test_another_department_sees_its_own_phrases_not_ours(other_handler, handling, templates):
    offered = [p.title for p in phrases.for_case(handling, other_handler)]
    # Their department's own before the shared ones of the same reach.
    assert offered == ["路灯口径", "邻区口径", "通用开头"]


def test_the_operator_answering_directly_gets_the_shared_phrases(
    client, operator, district, streetlights, templates
):
    case = f.make_case(
        actor=operator,
        grid=district["grid11"],
        category=streetlights,
        request_type=RequestType.INQUIRY,
    )
    client.force_login(operator)
    html = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'data-phrases="answer_directly-answer"' in html
    assert 'name="answer_directly-answer"' in html  # the box the phrase goes into
    assert "路灯口径" in html
    assert "通用开头" in html
    assert "路灯已修复" not in html  # the bureau's own


def test_no_picker_when_nothing_fits(client, handler, handling):
    client.force_login(handler)
    forms = reverse("cases:row_forms", args=[handling.number, "inbox"])
    html = client.get(forms).content.decode()
    assert 'name="reply-reply"' in html
    assert "data-phrases" not in html


def test_placeholders_are_plain_replacements():
    case = Case(number="20261207-00001")
    text = "{case_number} {0} {__class__} {date.year} {category}"
    filled = phrases.fill(text, case, today=timezone.localdate())
    assert filled == "20261207-00001 {0} {__class__} {date.year} "


def test_the_api_lists_the_phrases_for_a_case(handler, other_handler, handling, templates):
    _token, raw = ApiToken.issue(handler, "tests")
    response = Client().get(
        f"/api/cases/{handling.number}/reply-templates",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert [p["title"] for p in body] == ["路灯已修复", "路灯口径", "市容通用", "通用开头"]
    assert body[0]["category"] == "0101"
    assert body[0]["department"] == "CGJ"
    assert body[3]["text"] == f"您好！关于工单{handling.number}，现答复如下："
    # A case the caller cannot see is not found, as everywhere in the API.
    _token, other = ApiToken.issue(other_handler, "tests")
    response = Client().get(
        f"/api/cases/{handling.number}/reply-templates",
        headers={"Authorization": f"Bearer {other}"},
    )
    assert response.status_code == 404


def test_the_admin_lists_and_edits_templates(admin_client, templates):
    html = admin_client.get(reverse("admin:cases_replytemplate_changelist")).content.decode()
    assert "路灯已修复" in html
    url = reverse("admin:cases_replytemplate_change", args=[templates["shared"].pk])
    assert admin_client.get(url).status_code == 200


def test_intake_lists_the_phrases_with_the_categories_they_apply_to(
    client, operator, category, streetlights, templates
):
    client.force_login(operator)
    html = client.get(reverse("cases:intake")).content.decode()
    assert 'data-phrases="answer"' in html  # beside the "answer directly" box
    # The operator's (shared) phrases; the page's script shows those of the category.
    assert "路灯口径" in html
    assert f'data-for="{streetlights.pk}"' in html
    assert f'data-for="{category.pk} {streetlights.pk}"' not in html  # 市容通用: the bureau's
    # A phrase naming the case number cannot be filled before the case exists.
    assert "通用开头" not in html
    assert "路灯已修复" not in html


def test_intake_phrases_of_a_parent_category_apply_to_those_below(
    operator, category, streetlights, bureau
):
    ReplyTemplate.objects.create(title="市容口径", text="已转市容部门。", category=category)
    (offered,) = phrases.for_intake(operator)
    assert offered.applies_to.split() == sorted([str(category.pk), str(streetlights.pk)])


def test_who_may_not_answer_directly_gets_no_picker_at_intake(client, grid_worker, templates):
    client.force_login(grid_worker)  # registers what they find, never answers a call
    response = client.get(reverse("cases:intake"))
    assert response.status_code == 200
    assert "data-phrases" not in response.content.decode()
