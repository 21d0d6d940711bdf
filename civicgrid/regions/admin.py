from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .datum import Datum
from .gazetteer_import import MAX_ERRORS, ImportFailed, import_places
from .models import Place, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Regions are imported from GeoJSON (``import-regions``); here they are browsed and
    renamed. The boundary is shown as a summary: a district's polygon is tens of KB."""

    list_display = ["code", "name", "level", "parent", "grid_kind", "households"]
    list_filter = ["level", "grid_kind"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "boundary_summary", "centroid_lat", "centroid_lng", "updated_at"]
    exclude = ["boundary"]

    def get_queryset(self, request):
        # The list never shows the boundary: do not fetch it.
        return super().get_queryset(request).defer("boundary", "parent__boundary")

    @admin.display(description=gettext_lazy("boundary"))
    def boundary_summary(self, obj):
        if not obj.boundary:
            return "—"
        polygons = obj.boundary.get("coordinates", [])
        if obj.boundary.get("type") == "Polygon":
            polygons = [polygons]
        points = sum(len(ring) for polygon in polygons for ring in polygon)
        return _("%(type)s, %(points)d points (WGS84)") % {
            "type": obj.boundary.get("type"),
            "points": points,
        }


class GazetteerUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel (.xlsx) file"),
        help_text=gettext_lazy(
            "Columns: name, kind, lon, lat, and optionally region (code) and aliases."
        ),
    )
    crs = forms.ChoiceField(
        label=gettext_lazy("Coordinates of the file"), choices=Datum.choices, initial=Datum.WGS84
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Where the data comes from; the file name when left empty."),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Remove the entries of the same source that the file no longer has"),
        required=False,
    )
    skip_bad_rows = forms.BooleanField(
        label=gettext_lazy("Import the good rows and list the bad ones"), required=False
    )

    MAX_BYTES = 50 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """The gazetteer: imported from CSV or Excel here or with ``import-gazetteer``;
    single entries are added and corrected in the form (the search keys follow)."""

    change_list_template = "admin/regions/place/change_list.html"
    list_display = ["name", "kind", "region", "lng", "lat", "aliases", "source"]
    list_filter = ["kind", "source"]
    search_fields = ["name", "initials", "aliases"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    readonly_fields = ["initials", "pinyin", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("search_text", "region__boundary")

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [path("import/", upload, name="regions_place_import"), *super().get_urls()]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GazetteerUploadForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = import_places(
                    data["file"].read(),
                    datum=data["crs"],
                    source=data["source"] or data["file"].name,
                    replace=data["replace"],
                    skip_bad_rows=data["skip_bad_rows"],
                    actor=request.user,
                )
            except ImportFailed as exc:
                errors = exc.errors
            else:
                messages.success(request, _summary(result))
                for problem in result.skipped[:MAX_ERRORS]:
                    messages.warning(request, problem)
                return redirect("admin:regions_place_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import the gazetteer"),
            "form": form,
            "errors": errors[:MAX_ERRORS],
            "more_errors": max(0, len(errors) - MAX_ERRORS),
            "refused": ngettext(
                "%(n)d problem, nothing imported:", "%(n)d problems, nothing imported:", len(errors)
            )
            % {"n": len(errors)},
        }
        return TemplateResponse(request, "admin/regions/place/import.html", context)


def _summary(result) -> str:
    return _(
        "Gazetteer: %(created)d added, %(updated)d updated, %(unchanged)d unchanged, "
        "%(removed)d removed."
    ) % vars(result)
