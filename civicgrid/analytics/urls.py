from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.city_map, name="map"),
    path("screen/", views.screen, name="screen"),
    path("reports/", views.report, name="report"),
    path("reports/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("reports/report.pdf", views.report_pdf, name="report_pdf"),
    path("warnings/", views.warnings, name="warnings"),
]
