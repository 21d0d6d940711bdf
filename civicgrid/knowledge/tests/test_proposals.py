"""Departments propose entries and changes; an editor approves (applying them) or rejects."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases.tests.test_views import signed_in
from civicgrid.knowledge import search, services
from civicgrid.knowledge.models import ChangeKind, Entry, EntryChange, Proposal, ProposalStatus


def proposal_data(**overrides):
    data = {
        "question": "噪音扰民向哪个部门投诉",
        "answer": "夜间施工噪音由城市管理局受理，社会生活噪音由公安机关受理。",
        "keywords": "晚上施工太吵\n广场舞噪音",
        "category": "",
        "department": "",
        "valid_from": timezone.localdate().isoformat(),
        "valid_to": "",
        "source": "《噪声污染防治法》",
        "note": "市民常问",
    }
    data.update(overrides)
    return data


def test_a_handler_proposes_a_new_entry_through_the_form(client, handler, bureau):
    response = signed_in(client, handler).post(reverse("knowledge:propose"), proposal_data())
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.status == ProposalStatus.PENDING
    assert proposal.proposer_department == bureau
    assert not Entry.objects.exists()  # nothing changes before an editor approves


def test_approving_a_new_entry_puts_it_in_the_knowledge_base(client, handler, editor):
    signed_in(client, handler).post(reverse("knowledge:propose"), proposal_data())
    proposal = Proposal.objects.get()
    signed_in(client, editor)
    page = client.get(reverse("knowledge:proposals")).content.decode()
    assert "噪音扰民向哪个部门投诉" in page
    response = client.post(
        reverse("knowledge:review", args=[proposal.pk]), {"decision": "approve"}, follow=True
    )
    assert "is in the knowledge base" in response.content.decode()
    entry = Entry.objects.get()
    assert entry.phrasings == ["晚上施工太吵", "广场舞噪音"]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reviewer, proposal.entry) == ("approved", editor, entry)
    assert EntryChange.objects.get().kind == ChangeKind.CREATED
    assert search.search("广场舞太吵")[0][0] == entry


def test_approving_a_change_changes_the_entry(handler, editor, entries):
    entry = entries["lamp"]
    fields = {name: getattr(entry, name) for name in services.ENTRY_FIELDS}
    fields["answer"] = "路灯报修请拨打12319城管热线，24小时内修复。"
    proposal = services.propose(actor=handler, entry=entry, note="热线号码变了", **fields)
    services.approve(proposal, actor=editor, note="好")
    entry.refresh_from_db()
    assert entry.answer == "路灯报修请拨打12319城管热线，24小时内修复。"
    assert entry.changes.filter(kind=ChangeKind.CHANGED, proposal=proposal).exists()
    assert search.search("12319")[0][0] == entry


def test_rejecting_leaves_the_entry_as_it_was(client, handler, editor, entries):
    entry = entries["lamp"]
    fields = {name: getattr(entry, name) for name in services.ENTRY_FIELDS}
    proposal = services.propose(actor=handler, entry=entry, **{**fields, "answer": "不归我们管。"})
    signed_in(client, editor)
    refused = client.post(reverse("knowledge:review", args=[proposal.pk]), {"decision": "reject"})
    assert refused.status_code == 302
    assert Proposal.objects.get().status == ProposalStatus.PENDING  # a reason is required
    client.post(
        reverse("knowledge:review", args=[proposal.pk]),
        {"decision": "reject", "review_note": "答复不完整"},
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.review_note) == ("rejected", "答复不完整")
    entry.refresh_from_db()
    assert entry.answer == fields["answer"]
    assert not entry.changes.filter(kind=ChangeKind.CHANGED).exists()


def test_a_proposal_is_reviewed_only_once(handler, editor, district):
    from civicgrid.accounts.models import Role
    from civicgrid.cases.tests.factories import make_user

    second_editor = make_user(Role.ADMIN, username="admin2")
    proposal = services.propose(actor=handler, question="问题", answer="答案")
    # Both editors opened the page while it was pending.
    stale = Proposal.objects.get(pk=proposal.pk)
    services.approve(proposal, actor=editor)
    with pytest.raises(services.AlreadyReviewed):
        services.reject(stale, actor=second_editor, note="不对")
    with pytest.raises(services.AlreadyReviewed):
        services.approve(stale, actor=second_editor)
    assert Entry.objects.count() == 1
    assert Proposal.objects.get().status == ProposalStatus.APPROVED


def test_a_second_review_through_the_page_is_refused_with_a_message(
    client, handler, editor, entries
):
    proposal = services.propose(actor=handler, question="问题", answer="答案")
    services.reject(proposal, actor=editor, note="重复")
    signed_in(client, editor)
    response = client.post(
        reverse("knowledge:review", args=[proposal.pk]), {"decision": "approve"}, follow=True
    )
    assert "already reviewed" in response.content.decode()
    assert not Entry.objects.filter(question="问题").exists()


def test_a_handler_cannot_approve(client, handler, other_handler, entries):
    proposal = services.propose(actor=other_handler, question="问题", answer="答案")
    with pytest.raises(PermissionDenied):
        services.approve(proposal, actor=handler)
    response = signed_in(client, handler).post(
        reverse("knowledge:review", args=[proposal.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert Proposal.objects.get().status == ProposalStatus.PENDING
    assert not Entry.objects.filter(question="问题").exists()


def test_an_editor_does_not_approve_their_own_proposal(editor):
    proposal = services.propose(actor=editor, question="问题", answer="答案")
    with pytest.raises(PermissionDenied):
        services.approve(proposal, actor=editor)


def test_an_operator_without_the_permission_cannot_propose(client, operator):
    response = signed_in(client, operator).post(reverse("knowledge:propose"), proposal_data())
    assert response.status_code == 403
    assert not Proposal.objects.exists()


def test_a_bad_proposal_is_refused_field_by_field(client, handler):
    data = proposal_data(answer="", valid_to="2000-01-01")
    response = signed_in(client, handler).post(reverse("knowledge:propose"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "The entry cannot end before it starts." in html
    assert not Proposal.objects.exists()


def test_a_change_that_changes_nothing_is_refused(handler, entries):
    entry = entries["lamp"]
    fields = {name: getattr(entry, name) for name in services.ENTRY_FIELDS}
    with pytest.raises(services.InvalidEntry):
        services.propose(actor=handler, entry=entry, **fields)


def test_a_department_sees_its_own_proposals_and_their_outcome(
    client, handler, other_handler, editor
):
    mine = services.propose(actor=handler, question="我的问题", answer="答案")
    services.propose(actor=other_handler, question="别人的问题", answer="答案")
    services.reject(mine, actor=editor, note="请补充依据")
    html = signed_in(client, handler).get(reverse("knowledge:proposals")).content.decode()
    assert "我的问题" in html
    assert "请补充依据" in html
    assert "别人的问题" not in html
    assert "Approve and apply" not in html
