"""The polite opening of a letter, dropped before its text is compared or analysed.

Citizens write 尊敬的领导：您好！ before the problem, and published replies open with
网友：您好！; neither says anything about the case. One stripper for every reader of
message text (duplicates, hot issues, the knowledge-base seed).
"""

import re

_PUNCTUATION = r"[\s：:！!，,。、]"
_OPENING = re.compile(
    rf"^(?:{_PUNCTUATION}"
    # 尊敬的领导 / 尊敬的市长, up to the punctuation or the 您好 after it
    rf"|尊敬的[^，,：:！!。\s]{{0,12}}?(?={_PUNCTUATION}|您好|你好)"
    # an addressee, only when punctuation or 您好 follows: 市民反映… is not a greeting
    rf"|(?:网友|市民|群众|朋友|先生|女士)(?={_PUNCTUATION}|您好|你好)"
    r"|您好|你好)*"
)


def without_greeting(text: str) -> str:
    """``text`` without a polite opening such as 尊敬的领导：您好！ or 网友：您好！"""
    return _OPENING.sub("", text or "", count=1)
