from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<str:number>/forms/", views.case_forms, name="case_forms"),
]
