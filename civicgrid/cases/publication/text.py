"""Public text: what a case says, with what names or reaches a person masked.

``public_text`` masks, in this order: e-mail addresses; every run of seven or more
digits (phones, with spaces or dashes, and 18-character ID numbers ending in X); room
numbers (``3号楼2单元301室`` → ``*号楼*单元*室``: the estate or road stays); the names
given (the reporter's), everywhere; names with a form of address (王先生, 张师傅, 刘阿姨…);
and person names found by jieba (``names.find_names``).
"""

import re
from collections.abc import Iterable

from ..models import Case, mask_name
from . import names as person_names
from .rule import shows_text

# ASCII only: ``\w`` would also take the Chinese words before an address (邮箱abc@…).
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# Seven or more digits, maybe split by spaces, dashes or dots (phones, ID cards, plates…).
LONG_NUMBER = re.compile(r"\d(?:[ \u3000\-－—.]?\d){6,}[\dXx]?")
_NUM = r"[0-9０-９一二三四五六七八九十百零〇两]+"
# A building, unit or room: what locates one household, not the estate or the road.
# Rooms and households only with digits: 三室一厅 and 两户人家 are not addresses.
_ROOM_PART = rf"(?:{_NUM}\s*(?:号楼|栋|幢|单元)|[0-9０-９]+\s*(?:室|户))"
_ANY_WORD = r"(?:号楼|号院|栋|幢|座|单元|楼|层|室|户|号)"
ROOM = re.compile(
    rf"(?:{_NUM}\s*{_ANY_WORD}\s*)*{_ROOM_PART}(?:\s*{_NUM}\s*{_ANY_WORD})*(?:[0-9０-９]+)?"
    # 3-2-301: building, unit, room.
    rf"|(?<![\d\-])\d{{1,3}}-\d{{1,2}}-\d{{3,4}}(?![\d\-])"
)
_DIGITS = re.compile(_NUM)
# A date is no phone: 2026-11-22 stays readable in a reply.
DATE = re.compile(r"(?:19|20)\d\d([\-－.])\d{1,2}\1\d{1,2}(?!\d)")
TEXT_LIMIT = 20_000  # beyond this (no field of a case is longer) the rest is not shown


def _number(match: re.Match) -> str:
    found = match.group(0)
    date = DATE.match(found)
    if date:
        return found[: date.end()] + LONG_NUMBER.sub(_number, found[date.end() :])
    return found[:3] + "****"


def _room(match: re.Match) -> str:
    return _DIGITS.sub("*", match.group(0))


def public_text(text: str, names: Iterable[str] = ()) -> str:
    """``text`` as it may be published: contact data, names and room numbers masked."""
    text = (text or "")[:TEXT_LIMIT]
    if not text:
        return ""
    text = EMAIL.sub("***@***", text)
    text = LONG_NUMBER.sub(_number, text)
    text = ROOM.sub(_room, text)
    for name in sorted({n.strip() for n in names if n}, key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, mask_name(name))
    text = person_names.HONORIFIC.sub(lambda m: mask_name(m.group(0)), text)
    for name in sorted(person_names.find_names(text), key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def names_of(case: Case) -> list[str]:
    """The names known to be in a case's texts: its reporter's."""
    return [case.reporter_name] if case.reporter_name else []


def title(case: Case) -> str:
    """The case's title as the public may read it."""
    return public_text(case.title, names_of(case))


def description(case: Case) -> str:
    """What the public reads of a published case: the reporter's own text if it was
    written for the public (``rule.CHANNELS``), else the title; masked either way."""
    return public_text(case.content if shows_text(case) else case.title, names_of(case))
