from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from civicgrid.accounts.views import home
from civicgrid.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("open311/v2/", include("civicgrid.open311.urls")),
    path("alerts/", include("civicgrid.alerts.urls")),
    path("accounts/", include("civicgrid.accounts.urls")),
    path("map/", include("civicgrid.analytics.urls")),
    path("grid/", include("civicgrid.gridwork.urls")),
    path("triage/", include("civicgrid.triage.urls")),
    path("notifications/", include("civicgrid.notifications.urls")),
    path("knowledge/", include("civicgrid.knowledge.urls")),
    path("", include("civicgrid.duplicates.urls")),
    # The citizens' public pages: /report/, /track/<token>/, /results/ (no login).
    path("", include("civicgrid.citizens.urls")),
    # The global name LOGIN_REDIRECT_URL points at; it sends each role to its own page.
    path("", home, name="home"),
    path("", include("civicgrid.cases.urls")),
]

if settings.CIVICGRID_BENCH_ENDPOINTS:
    from civicgrid.accounts.bench import bare_insert

    urlpatterns.append(path("bench/bare-insert/", bare_insert))
