from django.urls import path

from . import views

app_name = "citizens"

urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/nearby/", views.nearby, name="nearby"),
    path("report/place/", views.place_check, name="place_check"),
    path("report/grids.geojson", views.grids_geojson, name="grids_geojson"),
    path("report/join/<str:number>/", views.join, name="join"),
    path("track/<str:token>/", views.track, name="track"),
    path("track/<str:token>/rate/", views.rate, name="rate"),
    path("track/<str:token>/photos/<int:pk>/", views.photo, name="photo"),
    path("results/", views.results, name="results"),
    path("results/units/", views.unit_lists, name="unit_lists"),
    path("rate-grid/", views.rate_grid, name="rate_grid"),
]
