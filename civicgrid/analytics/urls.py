from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.city_map, name="map"),
    path("grids.geojson", views.grids_geojson, name="grids_geojson"),
    path("cases.geojson", views.cases_geojson, name="cases_geojson"),
]
