"""The leaves of the category tree, and the leaves a case's words name."""

import pytest

from civicgrid.routing import leaves
from civicgrid.routing.tests import factories as f


@pytest.fixture
def environment(db):
    root = f.make_category("环境保护", code="04")
    pollution = f.make_category("环境污染", code="0402", parent=root)
    for code, name in [
        ("01", "大气污染"),
        ("02", "水污染"),
        ("03", "噪音污染"),
        ("04", "固体污染"),
    ]:
        f.make_category(name, code=f"0402{code}", parent=pollution)
    f.make_category("放射性污染", code="040205", parent=pollution, active=False)
    return root


def names(found) -> list[str]:
    return [n.category.name for n in found]


def test_a_leaf_is_an_active_category_without_active_subcategories(environment):
    assert [c.code for c in leaves.leaves()] == ["040201", "040202", "040203", "040204"]
    assert not leaves.is_leaf(environment)
    assert leaves.is_leaf(leaves.leaves()[0])


@pytest.mark.parametrize(
    ("title", "content", "named"),
    [
        ("楼下烧烤店噪音扰民", "", ["噪音污染"]),
        ("工地夜里噪声大", "", ["噪音污染"]),  # one character no other leaf has
        ("河道污水直排", "", ["水污染"]),
        ("反映污染问题", "", []),  # "污染" is in every leaf: it names none
        ("请尽快处理", "小区门口废气熏人，大气污染严重", ["大气污染"]),
        ("小区路口", "", []),  # places name nothing
    ],
)
def test_the_words_of_a_case_name_the_leaves_beneath_a_guess(environment, title, content, named):
    assert names(leaves.named_in(content, environment, title=title)) == named
