"""The callback desk and the reply templates in a real browser (#10), on the demo:
an operator's call reaches nobody, the case leaves the calls due now and comes back as
the second try when its time comes; a handler inserts a standard phrase into a reply.

The pages are in Chinese, as the staff read them: the test asserts on data and ids.
"""

import pytest
from django.utils import timezone
from test_browser_loop import Desk  # tests/ is on the path, as a rootdir

from civicgrid.accounts.models import User
from civicgrid.cases import services
from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, ReplyTemplate, Status
from civicgrid.cases.tests import factories as f
from civicgrid.demo import load, reply_templates
from civicgrid.routing.models import Category, Department

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_desk(db):
    load.load_calendar()
    load.load_geography(progress=False)
    load.load_departments()
    load.load_categories()
    load.load_routing_rules()
    load.load_time_limits()
    load.load_accounts()
    assert reply_templates.load_demo() == len(reply_templates.TEMPLATES)


def handled_case(title: str) -> Case:
    """A street-light case of the demo, dispatched to 区综合行政执法局 and acknowledged."""
    users = {u.username: u for u in User.objects.filter(username__in=["operator", "dispatcher"])}
    grid = User.objects.get(username="gridworker").grants.get().regions.order_by("code").first()
    category = Category.objects.get(name="城市公共设施", parent__name="城市建设和市政管理")
    case = f.make_case(actor=users["operator"], grid=grid, category=category, title=title)
    bureau = Department.objects.get(code="ZFJ")
    services.act(case, Action.DISPATCH, actor=users["dispatcher"], main_department=bureau)
    services.act(case, Action.ACKNOWLEDGE, actor=User.objects.get(username="handler"))
    return Case.objects.get(pk=case.pk)


def test_a_call_that_reaches_nobody_comes_back_as_the_second_try(
    demo_desk, live_server, new_page, sign_in, shot
):
    case = handled_case("东营社区路灯不亮")
    services.act(case, Action.REPLY, actor=User.objects.get(username="handler"), reply="已修复。")
    services.act(case, Action.VERIFY_PASS, actor=User.objects.get(username="gridworker"))
    card = f"article[data-case='{case.number}']"

    operator = Desk(new_page, sign_in, shot, live_server.url, "operator")
    page = operator.open("/callbacks/")
    assert page.locator(f"{card} .callback-try").get_attribute("data-attempt") == "1"
    assert "138****5678" in page.locator(card).inner_text()  # the phone, masked, to reveal
    operator.act_in_row(case.number, "callback", {"input[value=no_answer]": True})
    operator.shot("callbacks-1-no-answer")

    assert page.locator(card).count() == 0  # not due: gone from the calls to make now
    case.refresh_from_db()
    assert case.status == Status.VERIFIED
    assert case.events.filter(action=Note.CALLBACK_MISSED).count() == 1
    # Still there among the later tries.
    page.click("#callbacks-later")
    assert page.locator(card).count() == 1

    # Time moves on to the next try: the case is back, as the second try.
    Case.objects.filter(pk=case.pk).update(callback_next_at=timezone.now())
    page = operator.open("/callbacks/")
    assert page.locator(f"{card} .callback-try").get_attribute("data-attempt") == "2"
    assert page.locator(f"{card} .missed-calls li").count() == 1
    operator.shot("callbacks-2-second-try")
    operator.close()


def test_a_handler_inserts_a_standard_phrase_into_the_reply(
    demo_desk, live_server, new_page, sign_in, shot
):
    case = handled_case("小区路灯坏了")
    phrase = ReplyTemplate.objects.get(title="路灯已修复")
    handler = Desk(new_page, sign_in, shot, live_server.url, "handler")
    page = handler.open("/inbox/")
    row = page.locator("article", has_text=case.number)
    row.locator("a.open-forms").click()  # the row's forms come on demand, reply open
    row.locator("details[open]:has(form.action-reply)").wait_for()
    form = row.locator("form.action-reply")
    form.locator("textarea").fill("")
    form.locator("details.phrases > summary").click()
    form.locator(f"[data-phrase='{phrase.pk}'] [data-phrase-insert]").click()
    inserted = form.locator("textarea").input_value()
    today = timezone.localdate()
    assert inserted.startswith("经现场核查，您反映的路灯不亮问题属实。")
    assert f"{today.year}年{today.month}月{today.day}日" in inserted  # {date} filled
    handler.shot("reply-template-inserted")
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    case.refresh_from_db()
    assert case.status == Status.REPLIED
    assert case.reply == inserted
    handler.close()


def test_at_intake_the_phrases_follow_the_category_chosen(
    demo_desk, live_server, new_page, sign_in, shot
):
    heating = ReplyTemplate.objects.get(title="供暖温度答复口径")
    phone = ReplyTemplate.objects.get(title="咨询已电话解答")
    operator = Desk(new_page, sign_in, shot, live_server.url, "operator")
    page = operator.open("/intake/")
    box = page.locator("details.phrases")
    box.locator("> summary").click()
    heating_row = box.locator(f"[data-phrase='{heating.pk}']")
    for name, visible in (("冬季采暖", True), ("城市公共设施", False)):
        category = Category.objects.get(name=name, parent__name="城市建设和市政管理")
        page.select_option("#id_category", str(category.pk))
        assert heating_row.is_visible() is visible, name
    box.locator(f"[data-phrase='{phone.pk}'] [data-phrase-insert]").click()
    answer = page.locator("textarea[name=answer]").input_value()
    assert answer.startswith("您咨询的问题已在电话中为您详细解答。")
    operator.shot("intake-phrase-inserted")
    operator.close()
