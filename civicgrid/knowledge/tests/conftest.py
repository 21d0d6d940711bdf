"""Knowledge-base fixtures: a few real-sounding entries, an editor, a second handler."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.cases.tests import factories as f
from civicgrid.knowledge import services

ENTRIES = {
    "fund": (
        "咨询住房公积金贷款买房的问题",
        "根据《住房公积金个人贷款管理办法》，借款人家庭住房套数以缴存地房屋产权信息查询结果为准。"
        "首套房公积金贷款最低首付比例为20%，可拨打住房公积金服务热线12329咨询。",
        "公积金贷款首付比例是多少\n用公积金买房要什么条件",
    ),
    "school": (
        "孩子上小学需要办理哪些入学手续",
        "适龄儿童入学需提供户口簿、房产证或购房合同、预防接种证，于每年6月在教育局网站登记。",
        "一年级新生报名要带什么材料",
    ),
    "lamp": (
        "小区门口路灯不亮找哪个部门",
        "道路路灯由城市管理局路灯所维护，小区内部路灯由物业负责，请先联系物业服务企业。",
        "",
    ),
    "insurance": (
        "灵活就业人员如何缴纳社会保险",
        "灵活就业人员可持身份证到社保经办窗口办理参保登记，按月缴纳养老保险和医疗保险。",
        "自由职业者怎么交社保",
    ),
    "lantern": (
        "城区能不能燃放孔明灯",
        "城区禁止销售和燃放孔明灯，违者由公安机关依法查处。",
        "",
    ),
}


def add_entry(key_or_question: str, *, actor=None, **overrides):
    question, answer, keywords = ENTRIES.get(key_or_question, (key_or_question, "答复内容。", ""))
    fields = {"question": question, "answer": answer, "keywords": keywords, **overrides}
    return services.create_entry(actor=actor, **fields)


@pytest.fixture
def entries(db):
    return {key: add_entry(key) for key in ENTRIES}


@pytest.fixture
def yesterday():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def editor(district):
    """A knowledge editor: an operator in the "knowledge editors" group."""
    user = f.make_user(Role.OPERATOR, regions=[district["district"]], username="editor")
    group, _created = Group.objects.get_or_create(name="knowledge editors")
    group.permissions.add(Permission.objects.get(codename="review_proposal"))
    user.groups.add(group)
    return user
