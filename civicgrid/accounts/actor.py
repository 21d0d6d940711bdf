"""Who does something: a person signed in (staff, or an integration account's user), or
the system itself (``None``: the overdue job, an alert, a citizen's tracking link).

Every service takes ``*, actor: Actor``; the lifecycle checks what this actor may do and
the event records it.
"""

from typing import TypeAlias

from .models import User

Actor: TypeAlias = User | None
