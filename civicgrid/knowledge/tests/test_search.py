"""Ranked search of the knowledge base, as an operator types a caller's question."""

from datetime import timedelta

from django.utils import timezone

from civicgrid.knowledge import search, services
from civicgrid.knowledge.models import Entry
from civicgrid.knowledge.tests.conftest import add_entry


def questions(hits):
    return [entry.question for entry, _score in hits]


def test_the_entry_that_answers_the_caller_comes_first(entries):
    hits = search.search("我想问一下用公积金贷款买房首付要多少")
    assert hits[0][0] == entries["fund"]
    assert all(score < hits[0][1] for _entry, score in hits[1:])


def test_a_question_put_in_other_words_finds_the_entry_through_its_phrasings(entries):
    assert search.search("自由职业者交社保")[0][0] == entries["insurance"]
    assert search.search("一年级报名材料")[0][0] == entries["school"]


def test_the_first_characters_typed_already_find_the_entry(entries):
    assert search.search("孔明")[0][0] == entries["lantern"]
    assert search.search("路灯")[0][0] == entries["lamp"]


def test_a_query_that_matches_nothing_finds_nothing(entries):
    assert search.search("火星移民签证") == []
    assert search.search("   ") == []


def test_an_expired_entry_is_not_offered(entries, yesterday):
    services.update_entry(
        entries["fund"], actor=None, valid_from=yesterday - timedelta(days=30), valid_to=yesterday
    )
    assert entries["fund"] not in [e for e, _s in search.search("公积金贷款")]


def test_an_entry_not_yet_in_force_is_not_offered(db):
    tomorrow = timezone.localdate() + timedelta(days=1)
    add_entry("fund", valid_from=tomorrow)
    assert search.search("公积金贷款") == []
    assert (
        search.search("公积金贷款", day=tomorrow)[0][0].question == "咨询住房公积金贷款买房的问题"
    )


def test_an_entry_that_expires_today_is_still_offered_today(db):
    entry = add_entry("fund", valid_from=timezone.localdate(), valid_to=timezone.localdate())
    assert search.search("公积金")[0][0] == entry


def test_a_withdrawn_entry_is_not_offered(entries):
    services.update_entry(entries["lamp"], actor=None, is_active=False)
    assert entries["lamp"] not in [e for e, _s in search.search("路灯不亮")]


def test_a_change_saved_elsewhere_is_searchable_at_once(entries):
    search.current_index()
    # Another process edits the entry: only the database knows.
    entry = Entry.objects.get(pk=entries["lamp"].pk)
    services.update_entry(entry, actor=None, keywords="井盖丢了怎么办")
    assert search.search("井盖丢了")[0][0] == entries["lamp"]


def test_the_category_filter_keeps_entries_of_the_category_and_around_it(entries, category):
    from civicgrid.cases.tests.factories import make_category

    child = make_category("路灯", parent=category)
    services.update_entry(entries["lamp"], actor=None, category=child)
    services.update_entry(entries["fund"], actor=None, category=category)
    found = questions(search.search("路灯 公积金", category=category))
    assert set(found) == {entries["lamp"].question, entries["fund"].question}
    assert questions(search.search("公积金", category=child)) == [entries["fund"].question]
    assert search.search("孔明", category=category) == []


def test_a_long_pasted_letter_still_finds_its_answer(entries):
    letter = (
        "尊敬的领导您好！我是一名自由职业者，没有单位，想问一下灵活就业人员怎么缴纳社会保险，"
        "养老保险和医疗保险是不是可以一起交？需要带什么证件去哪里办理？谢谢！" * 3
    )
    assert search.search(letter)[0][0] == entries["insurance"]


def test_an_entry_sharing_only_characters_with_the_query_is_no_match(entries):
    add_entry("咨询小区供水管道漏水找谁", answer="供水管道由自来水公司维修。")
    add_entry("温暖家园小区物业费标准", answer="按物价部门核定的标准收取。")
    assert search.search("供暖") == []
    assert search.search("暖气不热") == []


def test_words_every_caller_uses_do_not_make_an_entry_fit(entries):
    add_entry("社保卡丢了怎么办", answer="携带身份证到社保窗口补办。")
    assert questions(search.search("路灯不亮怎么办")) == ["小区门口路灯不亮找哪个部门"]
    assert search.search("供暖费怎么交") == []
