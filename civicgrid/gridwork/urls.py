from django.urls import path

from . import views

app_name = "gridwork"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("patrol/start/", views.patrol_start, name="patrol_start"),
    path("patrol/stop/", views.patrol_stop, name="patrol_stop"),
    path("cases/<str:number>/whistle/", views.whistle, name="whistle"),
    path("summons/<int:pk>/report-in/", views.report_in, name="report_in"),
]
