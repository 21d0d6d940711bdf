"""A grid worker who opens a case outside their grids is told where their grids are."""

from django.urls import reverse

from civicgrid.cases.tests import factories as f


def test_a_case_outside_my_grids_is_a_404_that_names_my_grids_and_links_their_map(
    client, grid_worker, operator, district, category
):
    elsewhere = f.make_case(actor=operator, grid=district["grid21"], category=category)
    client.force_login(grid_worker)
    response = client.get(reverse("cases:detail", args=[elsewhere.number]))
    assert response.status_code == 404
    html = response.content.decode()
    assert district["grid11"].name in html
    assert district["grid12"].name in html
    assert district["grid21"].name not in html
    assert f'href="{reverse("gridwork:home")}"' in html
    assert "Your grids on the map" in html


def test_someone_signed_out_gets_the_plain_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "You work for" not in response.content.decode()


def test_my_grids_are_named_on_my_home_page(client, grid_worker, district):
    client.force_login(grid_worker)
    html = client.get(reverse("gridwork:home")).content.decode()
    assert f"{district['grid11'].name}、{district['grid12'].name}" in html
