"""What the demo loaders make: alert sources, the Open311 client, each once."""

from civicgrid.accounts.models import Integration
from civicgrid.alerts.models import SourceKind
from civicgrid.demo import load
from civicgrid.demo.alerts import load_demo
from civicgrid.demo.open311 import DEMO_API_KEY, load_demo_client, print_demo_client
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


def test_the_demo_client_is_created_once_with_its_published_key(district, capsys):
    code = district["district"].code
    first = load_demo_client(code)
    again = load_demo_client(code)
    assert first.pk == again.pk
    assert not first.user.has_usable_password()
    print_demo_client()
    assert DEMO_API_KEY in capsys.readouterr().out


def test_the_demo_client_acts_as_an_integration_account(district):
    client = load_demo_client(district["district"].code)
    assert client.user.is_integration_of(Integration.OPEN311)
