"""Records written only by services have one read-only admin."""

import pytest
from django.contrib import admin

from civicgrid.cases.tests import factories as f
from civicgrid.core.admin import ReadOnlyAdmin

pytestmark = pytest.mark.django_db

PERMISSIONS = ("has_add_permission", "has_change_permission", "has_delete_permission")


def test_every_admin_that_refuses_adding_and_changing_is_the_read_only_admin(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        refuses = not model_admin.has_add_permission(request) and not (
            model_admin.has_change_permission(request)
        )
        if refuses or isinstance(model_admin, ReadOnlyAdmin):
            assert isinstance(model_admin, ReadOnlyAdmin), model
            for name in PERMISSIONS:
                assert getattr(type(model_admin), name) is getattr(ReadOnlyAdmin, name), (
                    model,
                    name,
                )


def test_a_case_in_the_admin_can_be_read_but_not_saved(admin_client, operator, district):
    case = f.make_case(actor=operator, grid=district["grid11"], title="路灯不亮")
    page = admin_client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    assert "路灯不亮" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(f"/admin/cases/case/{case.pk}/change/", {}).status_code == 403
    assert admin_client.get("/admin/cases/case/add/").status_code == 403
