"""The demo's 110 system: an integration account with a published token, like the demo
passwords and the demo Open311 key.

Never use the demo token outside the demo: anyone who read this file knows it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.models import ApiToken, Integration, Role, User, hash_token
from civicgrid.accounts.services import grant_role
from civicgrid.regions.models import Level, Region

DEMO_USERNAME = "police110"
DEMO_NAME = "110分流接口"
DEMO_TOKEN = "cg_demo-110-diversion-token"


@transaction.atomic
def load_demo_110(district_code: str = "370502000000") -> User | None:
    """110's account in the demo district, and its token; safe to run again.

    An older demo database made it an operator with the demo password: it is narrowed
    to what 110's system needs (the same as migration diversion 0002 does).
    """
    district = Region.objects.filter(code=district_code, level=Level.DISTRICT).first()
    if district is None:
        return None
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        user = User(username=DEMO_USERNAME, first_name=DEMO_NAME)
    if user.pk is None or not user.is_integration_of(Integration.POLICE_110):
        user.integration = Integration.POLICE_110
        user.is_staff = user.is_superuser = False
        user.set_unusable_password()  # a system, not a person: it never signs in
        user.save()
        user.grants.all().delete()
        grant_role(user, Role.INTEGRATION, regions=[district])
    if not ApiToken.objects.filter(key_hash=hash_token(DEMO_TOKEN)).exists():
        ApiToken.objects.create(
            user=user,
            name="110 diversion (demo)",
            prefix=DEMO_TOKEN[:8],
            key_hash=hash_token(DEMO_TOKEN),
        )
    return user


def print_demo_110() -> None:
    """One line under the demo accounts: the token 110's system calls the API with."""
    token = ApiToken.objects.filter(key_hash=hash_token(DEMO_TOKEN), revoked=False).first()
    if token is None:
        return
    print(  # noqa: T201
        _("110 diversion (account %(user)s): Authorization: Bearer %(token)s  (/api/diversion/110)")
        % {"user": token.user.username, "token": DEMO_TOKEN}
    )
