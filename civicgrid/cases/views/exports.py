"""Excel export of a case list: start it, follow its progress, download the file."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.pages import page

from .. import exports
from ..models import CaseExport
from .common import is_htmx


@page("cases")
@require_POST
def export_start(request, source: str):
    """Export list ``source`` under the filters in the query string (the list's own).

    A short list downloads at once; a long one goes to the page showing its progress.
    """
    found = exports.source(source)
    if found is None:
        raise Http404(_("This list cannot be exported."))
    job = exports.start(request.user, source, found.params_of(request.GET))
    if job.state == CaseExport.State.DONE:
        return _download(job)
    return redirect("cases:export_status", pk=job.pk)


def _own_job(request, pk: int) -> CaseExport:
    """The export ``pk`` if the signed-in user asked for it; anyone else's is a 404."""
    job = CaseExport.objects.filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404(_("There is no such export of yours."))
    return job


@page("cases")
@require_GET
def export_status(request, pk: int):
    """The progress of an export; htmx asks for the fragment again until it is done."""
    job = _own_job(request, pk)
    source = exports.source(job.source)
    context = {"job": job, "list_label": source.label if source else job.source}
    if is_htmx(request):
        return render(request, "cases/partials/_export_progress.html", context)
    return render(request, "cases/export.html", context)


@page("cases")
@require_GET
def export_file(request, pk: int):
    return _download(_own_job(request, pk))


def _download(job: CaseExport):
    path = exports.file_path(job)
    if path is None:
        raise Http404(_("This file is not there (any more)."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=exports.download_name(job),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
