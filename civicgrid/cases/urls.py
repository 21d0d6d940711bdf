from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("intake/earlier/", views.earlier_cases, name="earlier_cases"),
    path("inbox/", views.inbox, name="inbox"),
    path("tasks/", views.tasks, name="tasks"),
    path("callbacks/", views.callbacks, name="callbacks"),
    # Under /map/ beside the city map page (analytics), for every map to draw.
    path("map/grids.geojson", views.grids_geojson, name="grids_geojson"),
    path("map/cases.geojson", views.cases_geojson, name="cases_geojson"),
    path("cases/", views.case_list, name="list"),
    path("cases/exports/<slug:source>/", views.export_start, name="export"),
    path("cases/exports/job/<int:pk>/", views.export_status, name="export_status"),
    path("cases/exports/job/<int:pk>/file/", views.export_file, name="export_file"),
    path("cases/<str:number>/", views.detail, name="detail"),
    path("cases/<str:number>/act/<slug:action>/", views.act, name="act"),
    path("cases/<str:number>/forms/<slug:queue>/", views.row_forms, name="row_forms"),
    path("cases/<str:number>/contact/", views.contact, name="contact"),
    path("cases/<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
]
