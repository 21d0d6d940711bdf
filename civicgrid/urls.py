from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from civicgrid.accounts.views import home
from civicgrid.api import api
from civicgrid.wiring import window
from civicgrid.wiring.modules import MODULES

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("accounts/", include("civicgrid.accounts.urls")),
    # The apps above cases, in the order of civicgrid/wiring/modules.py.
    *(
        path(module.urls, include(f"{module.app}.urls"))
        for module in MODULES
        if module.urls is not None
    ),
    # The mediation centre's window: a dispute that is also a petition (wiring/window.py).
    path("window/", window.register, name="window"),
    # The global name LOGIN_REDIRECT_URL points at; it sends each role to its own page.
    path("", home, name="home"),
    path("", include("civicgrid.cases.urls")),
]

if settings.CIVICGRID_BENCH_ENDPOINTS:
    from civicgrid.accounts.bench import bare_insert

    urlpatterns.append(path("bench/bare-insert/", bare_insert))
