from django.urls import path

from . import views

app_name = "mediation"

urlpatterns = [
    path("", views.disputes, name="list"),
    path("risk/", views.risk_board, name="risk_board"),
    path("registry/", views.registry, name="registry"),
    path("cases/<str:number>/hand-over/", views.hand_over, name="hand_over"),
    path("cases/<str:number>/act/", views.act, name="act"),
]
