"""The admin's gazetteer upload: the same import as the command, its problems on the page."""

from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.regions.models import Place
from civicgrid.regions.tests import factories as f

URL = "/admin/regions/place/import/"


def upload(client, rows, **options):
    data = ("name,kind,lon,lat\n" + "\n".join(rows) + "\n").encode()
    form = {
        "file": SimpleUploadedFile("东营区地名.csv", data, "text/csv"),
        "crs": "wgs84",
        **options,
    }
    return client.post(URL, form)


def test_the_changelist_links_to_the_upload(admin_client, district):
    assert URL in admin_client.get("/admin/regions/place/").content.decode()


def test_an_uploaded_file_is_imported_and_counted(admin_client, district):
    lng, lat = f.point_in(district["grid11"])

    response = upload(admin_client, [f"东营社区,社区,{lng},{lat}", f"文汇路,道路,{lng},{lat}"])

    assert response.status_code == 302
    assert Place.objects.count() == 2
    assert Place.objects.get(name="东营社区").source == "东营区地名.csv"
    page = admin_client.get(response["Location"]).content.decode()
    assert "2 added, 0 updated, 0 unchanged, 0 removed" in page


def test_a_bad_file_shows_each_bad_row_and_imports_nothing(admin_client, district):
    lng, lat = f.point_in(district["grid11"])

    response = upload(admin_client, [f"东营社区,社区,{lng},{lat}", f"文汇路,小路,{lng},{lat}"])

    assert response.status_code == 200
    page = response.content.decode()
    assert "1 problem, nothing imported:" in page
    assert "row 3: unknown kind “小路”" in page
    assert not Place.objects.exists()


def test_staff_without_the_permission_are_refused(client, district, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)

    response = upload(client, ["东营社区,社区,100,30"])

    assert response.status_code == 403
    assert not Place.objects.exists()
