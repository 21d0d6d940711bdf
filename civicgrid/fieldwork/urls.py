from django.urls import path

from . import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.day, name="day"),
    path("board/", views.board, name="board"),
    path("teams/", views.teams, name="teams"),
    path("roster/", views.roster, name="roster"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/visit/", views.visit, name="visit"),
    path("households/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("households/<int:pk>/points/", views.points, name="points"),
    path("attend/<int:pk>/arrive/", views.arrive, name="arrive"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("councils/new/", views.council_new, name="council_new"),
    path("councils/<int:pk>/", views.council, name="council"),
    path(
        "council-tasks/<int:pk>/<str:move>/",
        views.council_task,
        name="council_task",
    ),
    path("members/new/", views.member_new, name="member_new"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("workers/", views.workers, name="workers"),
    path("workers/<int:pk>/", views.worker, name="worker"),
    path("workers/<int:pk>/records/", views.worker_record, name="worker_record"),
]
