"""The one public rule (cases.publication): which cases, what text, where, which events."""

import pytest

from civicgrid.cases import lifecycle, publication
from civicgrid.cases.events import Note
from civicgrid.cases.lifecycle import Action
from civicgrid.cases.models import Case, CaseEvent, Channel
from civicgrid.cases.publication import names
from civicgrid.cases.tests import factories as f
from civicgrid.routing.models import RequestType

pytestmark = pytest.mark.django_db

PUBLISHED = {Channel.CITIZEN, Channel.WEB, Channel.OPEN311, Channel.GRID_PATROL, Channel.SENSOR}


def _case(operator, district, category, **overrides):
    return f.make_case(actor=operator, grid=district["grid11"], category=category, **overrides)


def _published_numbers() -> set[str]:
    return set(publication.published(Case.objects.all()).values_list("number", flat=True))


def test_every_channel_has_a_decision():
    assert set(publication.CHANNELS) == set(Channel.values)


@pytest.mark.parametrize("channel", Channel.values)
def test_only_channels_open_to_the_public_are_published(operator, district, category, channel):
    case = _case(operator, district, category, channel=channel)
    expected = channel in PUBLISHED
    assert publication.is_published(case) is expected
    assert (case.number in _published_numbers()) is expected


@pytest.mark.parametrize("channel", sorted(PUBLISHED))
def test_a_report_is_never_published_on_any_channel(operator, district, category, channel):
    report = _case(operator, district, category, channel=channel, request_type=RequestType.REPORT)
    assert not publication.is_published(report)
    assert _published_numbers() == set()


def test_a_private_category_and_all_below_it_are_never_published(operator, district, category):
    family = f.make_category("婚姻家庭", code="20")
    violence = f.make_category("家庭暴力", code="2001", parent=family)
    deep = f.make_category("求助", code="200101", parent=violence)
    family.never_public = True
    family.save()
    cases = [_case(operator, district, c, channel="web") for c in (family, violence, deep)]
    shown = _case(operator, district, category, channel="web")
    uncategorised = _case(operator, district, None, channel="web")
    assert [publication.is_published(c) for c in cases] == [False, False, False]
    assert _published_numbers() == {shown.number, uncategorised.number}


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("电话13900001111", ["13900001111", "0001111"], ["电话139****"]),
        ("电话 139-0000-1111 或 139 0000 1111", ["0000", "1111"], ["139****"]),
        ("座机0546-8888888", ["8888888"], ["054****"]),
        ("身份证37050219900101123X号", ["37050219900101123X", "19900101"], ["370****号"]),
        ("邮箱 wjg_1990@qq.com 联系", ["wjg", "qq.com", "@qq"], ["邮箱 ***@*** 联系"]),
        ("邮箱wjg_1990@qq.com联系", ["wjg", "qq.com"], ["邮箱***@***联系"]),
        ("胜利街道某小区3号楼2单元301室漏水", ["3号楼", "301"], ["胜利街道某小区*号楼*单元*室"]),
        ("幸福苑5栋302号门口", ["302"], ["幸福苑*栋*号门口"]),
        ("住3-2-301", ["3-2-301"], ["住*-*-*"]),
        (
            "王先生、李女士、张师傅、刘阿姨和赵大爷",
            ["王先", "李女", "张师", "刘阿", "赵大"],
            ["王**、李**、张**、刘**和赵**"],
        ),
        ("王建国先生您好", ["王建国", "建国"], ["王****您好"]),
        ("邻居孙丽华经常打骂孩子", ["孙丽华", "丽华"], ["邻居孙**经常"]),
        ("经办人李明，电话", ["李明"], ["经办人李*"]),
        ("高老师说", ["高老师"], ["高**说"]),
        ("拨打+8613912345678或(0546)8123456", ["12345678", "8123456"], ["拨打+86****"]),
        ("家里电话8123-4567，QQ 123456789", ["4567", "456789"], ["812****", "QQ 123****"]),
        ("身份证370502 19850315 612X", ["19850315", "612X"], ["身份证370****"]),
        ("卡号6222 0212 3456 7890 123", ["0212", "7890"], ["卡号622****"]),
        ("手机13912345678元", ["12345678"], ["139****"]),
    ],
)
def test_public_text_masks_what_reaches_a_person(text, gone, kept):
    masked = publication.public_text(text)
    for value in gone:
        assert value not in masked
    for value in kept:
        assert value in masked


@pytest.mark.parametrize(
    "text",
    [
        "谢谢您的来电，许可证已办好",
        "安装师傅和司机师傅都说",
        "高中老师反映三室一厅，两户人家",
        "已于2026-11-22修复，测试路1号门口路灯恢复照明",
        "小区北门路灯坏了三天，晚上很黑",
    ],
)
def test_public_text_leaves_ordinary_words_dates_and_road_numbers_alone(text):
    assert publication.public_text(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "按cjj179-2012《城镇道路工程施工与质量验收规范》整改",
        "依据CJJ 1-2008、GB 50016-2014和GB/T 19001-2016验收",
        "已于20261122回访，2026.11.22复查，2019-2023年度计划",
        "投资1234567元，补贴：12345678，工程款￥2345678，计1234567.50元",
        "清运12345678吨，覆盖1234567人，面积2345678平方米",
    ],
)
def test_public_text_keeps_standards_dates_and_amounts(text):
    """Only what reaches a person is masked, not every long number (#10 defect 13)."""
    assert publication.public_text(text) == text


def test_the_reporters_name_is_masked_wherever_it_appears():
    text = "王建国反映：王建国家门口积水，建国说"
    assert publication.public_text(text, ["王建国"]) == "王**反映：王**家门口积水，建国说"


def test_names_are_found_once_per_text_per_process():
    names.find_names.cache_clear()
    publication.public_text("请联系孙丽华")
    publication.public_text("请联系孙丽华")
    info = names.find_names.cache_info()
    assert (info.hits, info.misses) == (1, 1)


def test_the_position_is_the_grids_centroid_never_the_point(operator, district, category):
    grid = district["grid11"]
    case = _case(operator, district, category, lng=grid.centroid_lng + 0.003)
    assert (case.lng, case.lat) != (grid.centroid_lng, grid.centroid_lat)
    assert publication.position(case) == (grid.centroid_lat, grid.centroid_lng)
    unplaced = f.make_case(actor=operator, category=category)
    assert publication.position(unplaced) == (None, None)


def test_the_place_is_the_street_and_community_never_the_address(operator, district, category):
    case = _case(operator, district, category, address="胜利街道某小区3号楼2单元301室")
    assert publication.places([case]) == {case.pk: "第1街道 · 第1社区"}


@pytest.fixture
def handled(operator, dispatcher, handler, district, category, bureau):
    case = _case(
        operator, district, category, channel="web", reporter_name="王建国", title="王建国反映积水"
    )
    note = "请联系报告人王建国 13900001111"
    lifecycle.apply(case, Action.DISPATCH, actor=dispatcher, note=note, main_department=bureau)
    lifecycle.apply(case, Action.ACKNOWLEDGE, actor=handler)
    lifecycle.apply(
        case, Action.REPLY, actor=handler, reply="王建国您好，积水已排，电话13700001111"
    )
    CaseEvent.objects.create(case=case, action=Action.URGE, note="内部：勿外传", public=False)
    return case


def test_the_timeline_shows_events_with_safe_detail_and_only_replies_as_text(handled, bureau):
    events = publication.timelines([handled])[handled.pk]
    assert [e.action for e in events] == ["register", "dispatch", "acknowledge", "reply"]
    assert events[1].detail == bureau.name
    assert [e.text for e in events[:3]] == ["", "", ""]  # the dispatcher's note never
    assert events[3].text == "王**您好，积水已排，电话137****"


def test_updates_of_published_cases_show_the_same_texts(handled, operator, district, category):
    call = _case(operator, district, category)  # hotline: never published
    CaseEvent.objects.create(case=call, action=Note.ADD_NOTE, note="来电人补充")
    listed = list(
        publication.published_events(CaseEvent.objects.all()).select_related("case").order_by("id")
    )
    assert {e.case_id for e in listed} == {handled.pk}
    shown = publication.updates(listed)
    assert [e.text for e in shown if e.text] == ["王**您好，积水已排，电话137****"]


def test_the_reporter_reads_their_own_words_others_the_public_view(handled):
    handled.address = "胜利街道某小区3号楼2单元301室"
    own = publication.view_of(handled, own=True)
    assert own.text == handled.content
    assert own.address == "胜利街道某小区3号楼2单元301室"
    assert "请联系报告人" not in str(own.events)
    other = publication.view_of(handled, own=False)
    assert (other.title, other.text, other.address) == ("王**反映积水", "", "")
    assert other.reply == "王**您好，积水已排，电话137****"


def test_a_case_that_is_not_published_shows_others_nothing_it_says(handled, category):
    category.never_public = True
    category.save()
    other = publication.view_of(handled, own=False)
    assert (other.title, other.text, other.reply) == ("", "", "")
    assert [e.text for e in other.events] == ["", "", "", ""]
    assert [e.action for e in other.events][-1] == "reply"


def test_a_staff_note_given_beside_a_reply_stays_inside(
    operator, dispatcher, handler, district, category, bureau
):
    case = _case(operator, district, category, channel="web")
    lifecycle.apply(case, Action.DISPATCH, actor=dispatcher, main_department=bureau)
    lifecycle.apply(case, Action.ACKNOWLEDGE, actor=handler)
    # The API takes a note with any action: beside a reply it is the handler's own remark.
    lifecycle.apply(
        case, Action.REPLY, actor=handler, note="内部：经办人私人电话13900002222", reply="已修复"
    )
    texts = [e.text for e in publication.timelines([case])[case.pk]]
    assert texts[-1] == "已修复"
    assert "内部" not in str(texts)


def test_a_reply_recorded_before_replies_were_kept_with_their_event_still_shows(
    operator, district, category
):
    case = _case(operator, district, category, channel="web")
    CaseEvent.objects.create(case=case, action=Action.REFER, note="请向法院起诉", data={})
    CaseEvent.objects.create(case=case, action=Action.REPLY, note="", data={})
    Case.objects.filter(pk=case.pk).update(reply="已答复：王建国您好")
    case.refresh_from_db()
    texts = [e.text for e in publication.timelines([case])[case.pk]]
    assert texts[-2:] == ["请向法院起诉", "已答复：王**您好"]
