"""The dispatcher's control after dispatch, in headless Chromium, as the users see it (in
Chinese): reassigning a case the triage worker dispatched on its own, and reviewing a
department's return. Screenshots go to ``test-artifacts/``."""

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.cases import lifecycle, services
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, Status
from civicgrid.cases.tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def act(page, action: str, fill: dict):
    """Open the action's disclosure on the case page (if shut), fill it and submit."""
    details = page.locator(f"details:has(form.action-{action})")
    if details.get_attribute("open") is None:
        details.locator("> summary").click()
    form = page.locator(f"form.action-{action}")
    for selector, value in fill.items():
        field = form.locator(selector)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def inbox_rows(page, base: str):
    page.goto(f"{base}/inbox/")
    return page.locator("article, tr").all_inner_texts()


@pytest.fixture
def people(district, bureau, other_bureau):
    f.make_user(Role.DISPATCHER, regions=[district["district"]], username="dispatcher")
    f.make_user(Role.HANDLER, department=bureau, username="handler")
    f.make_user(Role.HANDLER, department=other_bureau, username="newhandler")


def test_the_dispatcher_reassigns_an_automatic_dispatch_and_the_new_department_has_it(
    live_server,
    people,
    district,
    category,
    bureau,
    other_bureau,
    new_page,
    sign_in,
    shot,
):
    operator = f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    case = f.make_case(actor=operator, grid=district["grid11"], category=category)
    # What the triage worker does when the model is confident: dispatch as the system.
    lifecycle.apply(case, Action.DISPATCH, actor=None, main_department=bureau.pk)
    base = live_server.url

    page = sign_in(new_page(), base, "dispatcher")
    page.goto(f"{base}/cases/{case.number}/")
    act(
        page,
        "reassign",
        {
            "select[name=reassign-main_department]": str(other_bureau.pk),
            "textarea[name=reassign-note]": "自动派单有误，应由邻区城管负责",
        },
    )
    shot(page, "dispatchctl-01-reassigned")
    timeline = page.content()
    assert "自动派单有误，应由邻区城管负责" in timeline
    assert other_bureau.name in timeline
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.main_department) == (Status.DISPATCHED, other_bureau)

    new = sign_in(new_page(), base, "newhandler")
    assert any(case.number in row for row in inbox_rows(new, base))
    shot(new, "dispatchctl-02-new-department-inbox")
    old = sign_in(new_page(), base, "handler")
    assert not any(case.number in row for row in inbox_rows(old, base))


def test_a_handler_returns_the_dispatcher_overrules_and_the_handler_has_it_back(
    live_server,
    people,
    district,
    category,
    bureau,
    new_page,
    sign_in,
    shot,
):
    operator = f.make_user(Role.OPERATOR, regions=[district["district"]], username="operator")
    case = f.make_case(actor=operator, grid=district["grid11"], category=category)
    dispatcher = User.objects.get(username="dispatcher")
    services.act(case, Action.DISPATCH, actor=dispatcher, main_department=bureau.pk)
    base = live_server.url

    handler = sign_in(new_page(), base, "handler")
    handler.goto(f"{base}/cases/{case.number}/")
    act(handler, "return", {"textarea[name=return-note]": "不属于本局职责，应由供电公司处理"})
    assert Case.objects.get(pk=case.pk).status == Status.RETURN_REQUESTED
    # The handler still finds it: under 退单 in the inbox, waiting, without a light.
    handler.goto(f"{base}/inbox/")
    waiting = handler.locator(f'#own-returns article[data-case="{case.number}"]')
    assert waiting.get_attribute("data-return") == "awaiting"
    assert waiting.locator(".light-dot").count() == 0
    assert not handler.locator(".queue-row", has_text=case.number).locator(".light-dot").count()

    page = sign_in(new_page(), base, "dispatcher")
    page.goto(f"{base}/triage/")
    assert page.locator('[data-work="returned"] .work-count').inner_text() == "1"
    returned = page.locator("#returned article", has_text=case.number)
    assert "不属于本局职责" in returned.inner_text()
    shot(page, "dispatchctl-03-returns-to-review")
    with page.expect_navigation():
        returned.locator('a[href$="#actions-head"]').click()
    reason = "权责清单明确由城管局负责"
    act(page, "overrule_return", {"textarea[name=overrule_return-note]": reason})
    shot(page, "dispatchctl-04-overruled")
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.main_department) == (Status.HANDLING, bureau)

    assert any(case.number in row for row in inbox_rows(handler, base))
    decided = handler.locator(f'#own-returns article[data-case="{case.number}"]')
    assert decided.get_attribute("data-return") == "overrule_return"
    assert reason in decided.inner_text()
    shot(handler, "dispatchctl-05a-handler-inbox-return-decided")
    handler.goto(f"{base}/cases/{case.number}/")
    assert reason in handler.content()
    shot(handler, "dispatchctl-05-handler-sees-it-back")
