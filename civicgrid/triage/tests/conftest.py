"""The triage world: a first-level category the shipped model knows, routed in the district."""

import pytest

from civicgrid.cases.tests import factories as f


@pytest.fixture
def transport(db, district):
    """The first-level category the model speaks of, routed to a bureau of the district."""
    bureau = f.make_department("区交通运输局", code="JTJ")
    bureau.jurisdiction.add(district["district"])
    category = f.make_category("交通运输", code="03", auto_dispatch_threshold=0.6)
    f.make_rule(category, bureau)
    return category
