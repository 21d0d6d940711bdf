"""The admin carries the product's name (#10 defect 17)."""

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_the_admin_is_named_after_the_product_not_django(admin_client):
    html = admin_client.get("/admin/").content.decode()
    name = str(settings.CIVICGRID_SITE_NAME)
    assert f"<title>Site administration | {name}</title>" in html
    assert f'<div id="site-name"><a href="/admin/">{name}</a></div>' in html
    assert "Django administration" not in html
