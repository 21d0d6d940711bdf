"""``POST /alerts/<slug>/``: where each alert source sends its signed alerts."""

from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [path("<str:slug>/", views.receive, name="receive")]
