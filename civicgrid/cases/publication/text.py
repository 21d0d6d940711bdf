"""Public text: what a case says, with what names or reaches a person masked.

``public_text`` masks, in this order: e-mail addresses; phone numbers (mobile and
landline, with spaces or dashes), ID and bank card numbers, and any other run of seven or
more digits unless it counts something (``1234567元``) or is a date (``20261122``) —
numbers inside a code (``cjj179-2012``) stay; room numbers (``3号楼2单元301室`` →
``*号楼*单元*室``: the estate or road stays); the names given (the reporter's),
everywhere; names with a form of address (王先生, 张师傅, 刘阿姨…); and person names
found by jieba (``names.find_names``).
"""

import re
from collections.abc import Iterable
from datetime import datetime

from ..models import Case, mask_name
from . import names as person_names
from .rule import shows_text

# ASCII only: ``\w`` would also take the Chinese words before an address (邮箱abc@…).
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_SEP = r"[ \u3000\-－—.]"
# A number that reaches a person: not one inside a code (cjj179-2012, GB 50016-2014);
# Q is no code's last letter (QQ 123456789).
PERSONAL_NUMBER = re.compile(
    r"(?<![0-9A-PR-Za-pr-z])(?<![A-PR-Za-pr-z][ /])(?:"
    rf"(?:\+?86[ \-]?)?1[3-9]\d{_SEP}?\d{{4}}{_SEP}?\d{{4}}"  # mobile: 139-1234-5678
    rf"|[(（]?0\d{{2,3}}[)）]?{_SEP}?[2-9]\d{{2,3}}{_SEP}?\d{{4}}"  # landline: 0546-8123456
    r"|\d{6} \d{8} \d{3}[\dXx]"  # ID number in groups
    r"|\d{4}(?: \d{4}){3}(?: \d{1,3})?"  # bank card in groups
    r"|[2-9]\d{2,3}[ \-－—]\d{4}"  # local number split: 8123-4567
    r"|\d{7,}[Xx]?"  # any other run of seven or more digits: ID, QQ, account, phone
    r")(?![0-9A-Za-z])"
)
# What a run of digits counts (an amount, a length, a number of people) or is (a date).
_UNIT = re.compile(
    r"\s*(?:[.．]\d|元|块|角|万|亿|千|百|米|公里|千米|平|㎡|亩|吨|斤|公斤|千克|克|升|立方|方|"
    r"度|千瓦|瓦|个|人|次|户|件|份|条|辆|台|套|张|株|棵|年|月|日|天|小时|分钟|秒|%|％)"
)
_MONEY_BEFORE = re.compile(
    r"(?:[¥￥$]|RMB|人民币|金额|资金|投资|费用|补贴|补助|合计|共计|总计|预算|工程款)\s*[:：]?\s*$"
)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d[\-－—](?:19|20)\d\d")
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
TEXT_LIMIT = 20_000  # beyond this (no field of a case is longer) the rest is not shown


def _number(match: re.Match) -> str:
    found = match.group(0)
    if found.isdigit() and not _MOBILE.fullmatch(found) and _counts_or_dates(match):
        return found
    if _YEAR_RANGE.fullmatch(found):
        return found
    return found[:3] + "****"


def _counts_or_dates(match: re.Match) -> bool:
    """Whether a bare run of digits is an amount or quantity, or a date (20261122)."""
    found, text = match.group(0), match.string
    if _UNIT.match(text, match.end()) or _MONEY_BEFORE.search(text[: match.start()][-8:]):
        return True
    if len(found) == 8 and found[:2] in ("19", "20"):
        try:
            datetime.strptime(found, "%Y%m%d")  # noqa: DTZ007 (a calendar check only)
        except ValueError:
            return False
        return True
    return False


def _room(match: re.Match) -> str:
    return _DIGITS.sub("*", match.group(0))


def public_text(text: str, names: Iterable[str] = ()) -> str:
    """``text`` as it may be published: contact data, names and room numbers masked."""
    text = (text or "")[:TEXT_LIMIT]
    if not text:
        return ""
    text = EMAIL.sub("***@***", text)
    text = PERSONAL_NUMBER.sub(_number, text)
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
