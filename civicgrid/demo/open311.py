"""The demo's Open311 client: a citizen app with a published key, like the demo passwords.

Never use the demo key outside the demo: anyone who read this file knows it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Integration, Role, User, hash_token
from civicgrid.accounts.services import grant_role
from civicgrid.open311.models import ClientSystem
from civicgrid.regions.models import Level, Region

DEMO_CLIENT = "市民APP (demo)"
DEMO_USERNAME = "open311-app"
DEMO_API_KEY = "o311_demo-citizen-app-key"


@transaction.atomic
def load_demo_client(district_code: str = "370502000000") -> ClientSystem | None:
    """The demo client system and the account it acts as; safe to run again."""
    district = Region.objects.filter(code=district_code, level=Level.DISTRICT).first()
    if district is None:
        return None
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        user = User(username=DEMO_USERNAME, first_name=DEMO_CLIENT[:30])
    if user.pk is None or not user.is_integration_of(Integration.OPEN311):
        # New, or an older demo database's operator: an integration account of its own.
        user.integration = Integration.OPEN311
        user.set_unusable_password()  # a system, not a person: it never signs in
        user.save()
        user.grants.all().delete()
        grant_role(user, Role.INTEGRATION, regions=[district])
    client = ClientSystem.objects.filter(name=DEMO_CLIENT).first()
    if client is None:
        client = ClientSystem(name=DEMO_CLIENT, user=user)
        client.set_key(DEMO_API_KEY)
        client.save()
    return client


def print_demo_client() -> None:
    """One line under the demo accounts: the Open311 key to try the API with."""
    client = ClientSystem.objects.filter(name=DEMO_CLIENT).first()
    if client is None:
        return
    if client.key_hash == hash_token(DEMO_API_KEY):
        key = DEMO_API_KEY
    else:
        key = _("(replaced in the admin)")
    print(  # noqa: T201
        _("Open311 client “%(name)s”: api_key=%(key)s  (/open311/v2/discovery.json)")
        % {"name": client.name, "key": key}
    )
