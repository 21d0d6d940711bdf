"""Phone numbers as people type them: 138-1234-5678, +86 138 1234 5678, 0531 8888 8888.

One reading everywhere: the digits in order (``digits``), which the keyed hash, the
duplicate check and the masks start from; a leading ``+`` is kept only where the number
is stored for calling back (``normalised``). Finding phones inside free text, to mask
them before publication, is another job (``cases.publication.text``).
"""

MIN_DIGITS = 5
MAX_DIGITS = 20


def digits(phone: str) -> str:
    """The digits of ``phone``, in order: ``138-1234-5678`` → ``13812345678``."""
    return "".join(ch for ch in phone or "" if ch.isdigit())


def normalised(phone: str) -> str:
    """The digits, after a ``+`` when the number starts with one: ``+86 138…`` → ``+86138…``."""
    return ("+" if (phone or "").strip().startswith("+") else "") + digits(phone)


def plausible(phone: str, *, min_digits: int = MIN_DIGITS, max_digits: int = MAX_DIGITS) -> bool:
    """Whether ``phone`` has a phone number's count of digits."""
    return min_digits <= len(digits(phone)) <= max_digits
