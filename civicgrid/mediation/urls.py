from django.urls import path

from . import aftercare_views, centre_views, views

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
    # After the agreement (mediation.aftercare_views).
    path("aftercare/", aftercare_views.queue, name="aftercare"),
    path("published/", aftercare_views.published, name="published"),
    path("cases/<str:number>/after/", aftercare_views.act, name="after"),
    path("cases/<str:number>/dossier/", aftercare_views.dossier, name="dossier"),
    path("cases/<str:number>/dossier.pdf", aftercare_views.dossier_pdf, name="dossier_pdf"),
    path("cases/<str:number>/agreement.pdf", aftercare_views.agreement_pdf, name="agreement_pdf"),
    path(
        "cases/<str:number>/rights-notice.pdf",
        aftercare_views.rights_notice_pdf,
        name="rights_notice_pdf",
    ),
]
