"""One reading of a phone number, wherever it is typed."""

import re
from pathlib import Path

import pytest

from civicgrid.cases import phones
from civicgrid.cases.services import phone_hash

PACKAGE = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "typed", ["13812345678", "138-1234-5678", "138 1234 5678", " 138.1234.5678 "]
)
def test_a_number_typed_with_spaces_dashes_or_dots_is_the_same_caller(typed):
    assert phones.digits(typed) == "13812345678"
    assert phone_hash(typed) == phone_hash("13812345678")


def test_a_leading_plus_is_kept_for_calling_back_but_not_for_finding_the_caller():
    assert phones.normalised("+86 138 1234 5678") == "+8613812345678"
    assert phones.digits("+86 138 1234 5678") == "8613812345678"


def test_too_few_or_too_many_digits_is_no_phone():
    assert not phones.plausible("1234")
    assert phones.plausible("12345")
    assert not phones.plausible("1" * 21)
    assert not phones.plausible("138-1234", min_digits=8)


def test_no_module_cleans_phone_digits_on_its_own():
    own_cleaning = re.compile(r"ch\.isdigit\(\)")
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "phones.py"
        and own_cleaning.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
