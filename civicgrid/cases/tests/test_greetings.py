"""One stripper drops the polite opening of a letter, and nothing of its content."""

import re
from pathlib import Path

import pytest

from civicgrid.cases.greetings import without_greeting

PACKAGE = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("letter", "content"),
    [
        ("尊敬的领导：您好！南门路灯坏了", "南门路灯坏了"),
        ("尊敬的市长您好，南门路灯坏了", "南门路灯坏了"),
        ("您好！南门路灯坏了", "南门路灯坏了"),
        ("尊敬的领导：南门路灯坏了", "南门路灯坏了"),
        ("网友：您好！留言已收悉", "留言已收悉"),
        ("  你好，南门路灯坏了", "南门路灯坏了"),
        ("市民反映南门路灯坏了", "市民反映南门路灯坏了"),
        ("南门路灯坏了，您好", "南门路灯坏了，您好"),
        ("", ""),
    ],
)
def test_the_opening_goes_and_the_content_stays(letter, content):
    assert without_greeting(letter) == content


def test_no_module_strips_greetings_on_its_own():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "greetings.py"
        and re.search(r"您好\|你好|你好\|您好", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
