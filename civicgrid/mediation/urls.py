from django.urls import path

from . import centre_views, views

app_name = "mediation"

urlpatterns = [
    path("", views.disputes, name="list"),
    path("risk/", views.risk_board, name="risk_board"),
    path("registry/", views.registry, name="registry"),
    path("screening/", centre_views.screening_form, name="screening"),
    path("screening/board/", centre_views.screening_board, name="screening_board"),
    path("screening/sensitive/", centre_views.sensitive_period, name="sensitive_period"),
    path("statistics/", centre_views.statistics_page, name="statistics"),
    path("statistics/export/", centre_views.statistics_export, name="statistics_export"),
    path("home/", centre_views.mediator_home, name="home"),
    path("court/", centre_views.court_liaison, name="court_liaison"),
    path("cases/<str:number>/hand-over/", views.hand_over, name="hand_over"),
    path("cases/<str:number>/act/", views.act, name="act"),
]
