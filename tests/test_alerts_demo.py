"""The alert sources the demo creates."""

from civicgrid.alerts.demo import load_demo
from civicgrid.alerts.models import SourceKind
from civicgrid.demo import load
from civicgrid.routing.models import Category


def test_the_demo_sources_are_created_once_with_demo_categories(district):
    load.load_categories()
    code = district["district"].code
    first = load_demo(code)
    again = load_demo(code)
    assert [s.pk for s in first] == [s.pk for s in again]
    assert {s.kind for s in first} == set(SourceKind.values)
    names = {
        source.slug: {
            Category.objects.get(code=c).name for c in source.options["categories"].values()
        }
        for source in first
    }
    assert names == {
        "dongying-flood": {"防汛抗旱"},
        "dongying-fire": {"安全隐患"},
        "dongying-video": {"城管执法"},
    }
    for source in first:
        source.full_clean()  # options valid
