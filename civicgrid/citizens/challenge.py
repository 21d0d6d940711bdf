"""A simple human check without outside services: a small sum, answered in the form.

The answer is not in the page: the form carries a signed, timestamped token holding the
form's key and a keyed hash of key and answer (``TimestampSigner``, valid one hour), so
any web process can check it and a solved question cannot be reused for another report
(another form has another key). It stops careless scripts; the rate limits stop the rest.
"""

import secrets
import unicodedata
from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

SALT = "civicgrid.citizens.challenge"
MAX_AGE = 3600
CHINESE_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _mac(key: str, answer: str) -> str:
    return salted_hmac(SALT, f"{key}:{answer}").hexdigest()[:32]


def _numeral(n: int) -> str:
    """Chinese pages ask in Chinese numerals (三加五), which trips up naive scripts."""
    if (get_language() or "").startswith("zh"):
        return CHINESE_DIGITS[n]
    return str(n)


def new_challenge(key: str) -> Challenge:
    """A new question for the form with ``key``."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        question = _("What is %(a)s plus %(b)s?") % {"a": _numeral(a), "b": _numeral(b)}
        answer = a + b
    else:
        a, b = max(a, b), min(a, b)
        question = _("What is %(a)s minus %(b)s?") % {"a": _numeral(a), "b": _numeral(b)}
        answer = a - b
    token = signing.TimestampSigner(salt=SALT).sign(f"{key}:{_mac(key, str(answer))}")
    return Challenge(question, token)


def problem(token: str, key: str, answer: str) -> str | None:
    """Why the answer does not pass (translated), or None when it does."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token or "", max_age=MAX_AGE)
    except signing.SignatureExpired:
        return _("The check question has expired; please answer the new one.")
    except signing.BadSignature:
        return _("Please answer the check question.")
    signed_key, _sep, mac = value.rpartition(":")
    given = unicodedata.normalize("NFKC", answer or "").strip()
    if not given:
        return _("Please answer the check question.")
    given = str(int(given)) if given.isdecimal() and len(given) < 4 else ""
    if signed_key != key or not given or not constant_time_compare(mac, _mac(key, given)):
        return _("That answer is not right; please answer the new question.")
    return None
