"""GeoReport v2 under ``/open311/v2/``; every method takes a format suffix (.json, .xml)."""

from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>[^./]+)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<service_code>[^/]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+)" + FMT, views.request_detail, name="request"),
    # The swagger description spells the single request in the singular.
    re_path(r"^request/(?P<service_request_id>[^/]+)" + FMT, views.request_detail),
    re_path(r"^tokens/(?P<token_id>[^/]+)" + FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.updates, name="updates"),
    re_path(r"^(?P<path>.*)$", views.unknown),
]
