"""Changes to accounts: the roles a person holds."""

from django.db import transaction

from .models import RoleGrant, User


def grant_role(user: User, role: str, *, regions=(), department=None) -> RoleGrant:
    """Give ``user`` one more role, with its scope (region subtrees and/or a department).

    Checked as the admin checks it: an integration account holds one grant, of role
    ``integration``, with no department. The admin edits grants inline on the user.
    """
    role_grant = RoleGrant(user=user, role=role, department=department)
    role_grant.full_clean(exclude=["regions"])
    with transaction.atomic():
        role_grant.save()
        role_grant.regions.set(regions)
    user.forget_grants()
    return role_grant
