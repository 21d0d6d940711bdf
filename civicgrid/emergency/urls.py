from django.urls import path

from . import room_views, views, warning_views

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
    # Warnings (预警) and their CAP 1.2 messages; the public page needs no sign-in.
    path("warnings/", warning_views.warnings_list, name="warnings"),
    path("warnings/draft/", warning_views.warning_draft, name="warning_draft"),
    path("warnings/public/", warning_views.public_warnings, name="public_warnings"),
    path("warnings/<int:pk>/", warning_views.warning_detail, name="warning"),
    path("warnings/<int:pk>/cap.xml", warning_views.warning_cap, name="warning_cap"),
    path("warnings/<int:pk>/<str:action>/", warning_views.warning_act, name="warning_act"),
    # The command room's full-screen map and its htmx refresh.
    path("room/", room_views.command_room, name="room"),
    path("room/data/", room_views.command_room_data, name="room_data"),
    path("experts/<int:pk>/phone/", room_views.expert_phone, name="expert_phone"),
    path("warehouses/", room_views.warehouses, name="warehouses"),
    path("warehouses/<int:pk>/", room_views.warehouse, name="warehouse"),
    path("warehouses/<int:pk>/receive/", room_views.warehouse_receive, name="warehouse_receive"),
]
