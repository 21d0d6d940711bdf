"""What a signed-out form keeps: a call typed while the session ran out is not lost.

A POST that arrives without a signed-in user (the session expired while the operator
typed) is stored in the new, anonymous session before the sign-in redirect; Django keeps
a session's data when someone signs in on it, so the form shows it again afterwards.
Files cannot be kept; the restored form says so.
"""

from functools import wraps

from django.contrib import messages
from django.http import QueryDict
from django.utils.translation import gettext as _

# Never kept: the form's CSRF token (stale once signed in) and the lookup box's text.
NOT_KEPT = frozenset({"csrfmiddlewaretoken", "kb_q"})
MAX_CHARS = 100_000  # a draft larger than any real form is not stored


def keeps_draft(key: str):
    """Store the POST of a signed-out user under ``key`` before the view's sign-in guard."""

    def decorate(view):
        @wraps(view)
        def keeping(request, *args, **kwargs):
            if request.method == "POST" and not request.user.is_authenticated:
                fields = {k: v for k, v in request.POST.lists() if k not in NOT_KEPT}
                if sum(len(value) for values in fields.values() for value in values) <= MAX_CHARS:
                    request.session[key] = fields
            return view(request, *args, **kwargs)

        return keeping

    return decorate


def restored_draft(request, key: str) -> QueryDict | None:
    """The draft kept under ``key``, once (it is removed), with a message to check it."""
    fields = request.session.pop(key, None)
    if not fields:
        return None
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        data.setlist(name, values)
    messages.warning(
        request,
        _(
            "You had been signed out: what you typed is back in the form. Check it, "
            "choose any files again, and register it."
        ),
    )
    return data
