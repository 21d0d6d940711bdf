from django.urls import path

from . import views

app_name = "emergency"

urlpatterns = [
    path("", views.incidents, name="incidents"),
    path("open/", views.open_incident, name="open"),
    path("cases/<str:number>/open/", views.open_from_case, name="open_from_case"),
    path("<int:pk>/", views.incident, name="incident"),
    path("<int:pk>/log.pdf", views.log_pdf, name="log_pdf"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("tasks/<int:pk>/<str:move>/", views.task_move, name="task"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/export.json", views.plan_export, name="plan_export"),
    path("plans/<int:pk>/plan.pdf", views.plan_print, name="plan_pdf"),
]
