"""Excel export of a case list (导出 Excel): exactly the rows the list shows its user.

A list is a *source*: a name, and a function giving the cases a user sees under the
list's filters (``cases``: the case list and ``GET /api/cases``, through ``CaseFilter``;
``inbox``: a department's queue; upper apps register theirs, e.g. a hot issue's cases).
``start`` writes a ``CaseExport`` row — the audit record: who, which list and filters,
how many rows — and writes a short list at once; a long one is left to
``civicgrid export-worker`` (``run_pending``), which writes the file under
``DATA_DIR/exports`` and its progress on the row, so any web process can show it.

The workbook is written row by row (openpyxl's write-only mode) from plain values read
in chunks, so memory stays flat however long the list. Personal data is masked as on
the pages; times are local; text that looks like a formula stays text.
"""

import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from civicgrid.regions.models import Region
from civicgrid.routing.models import Category, Department, RequestType, Urgency

from .models import (
    CLOSED_STATUSES,
    Case,
    CaseExport,
    Channel,
    Light,
    Rating,
    Status,
    light_at,
    mask_name,
    mask_phone,
)
from .scope import visible_cases
from .search import NEWEST_FIRST, CaseFilter

logger = logging.getLogger(__name__)

# Up to this many rows the file is written in the request and downloaded at once.
SYNC_LIMIT = 2000
# Rows read per query and between two progress updates.
CHUNK = 2000
# Files are deleted this long after they were written; the audit row stays.
KEEP_FILES = timedelta(hours=24)
# A job whose worker has not written progress for this long is taken over.
STALE_AFTER = timedelta(minutes=5)

State = CaseExport.State


# --- sources -----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A list that can be exported: the cases ``user`` sees in it under ``params``
    (plain JSON values, stored with the job), and those filters in words."""

    label: str | Promise
    cases: Callable[[object, dict], QuerySet]
    # The list's filters read from a page's query string (a ``QueryDict``): JSON values.
    params_of: Callable[[object], dict]
    describe: Callable[[dict], str] = lambda params: ""


_SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Make a list exportable under ``name`` (upper apps, from the wiring)."""
    _SOURCES[name] = source


def source(name: str) -> Source | None:
    return _SOURCES.get(name)


def _filter_of(params: dict) -> CaseFilter:
    values = dict(params)
    for name in ("created_after", "created_before"):
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return CaseFilter.of(values)


def filter_params(filters: CaseFilter) -> dict:
    """A ``CaseFilter`` as the JSON a job keeps (times as ISO 8601)."""
    params = {}
    for name, value in vars(filters).items():
        if value in ("", None):
            continue
        params[name] = value.isoformat() if isinstance(value, datetime) else value
    return params


def _describe_filter(params: dict) -> str:
    return ", ".join(f"{name}={value}" for name, value in sorted(params.items())) or _("all")


def _case_list_params(query) -> dict:
    from .forms import CaseFilterForm, Options

    form = CaseFilterForm(query, options=Options())
    return filter_params(CaseFilter.of(form.cleaned_data) if form.is_valid() else CaseFilter())


def _inbox_params(query) -> dict:
    from .forms import InboxFilterForm

    form = InboxFilterForm(query)
    if not form.is_valid():
        return {}
    return {k: v for k, v in form.cleaned_data.items() if k in ("light", "status") and v}


def _case_list(user, params: dict) -> QuerySet:
    cases = _filter_of(params).apply(visible_cases(user, Case.objects.all()))
    return cases.order_by(*NEWEST_FIRST)


def _inbox(user, params: dict) -> QuerySet:
    from .queries import inbox

    return inbox(user, light=params.get("light", ""), status=params.get("status", ""))


register_source(
    "cases", Source(gettext_lazy("Cases"), _case_list, _case_list_params, _describe_filter)
)
register_source("inbox", Source(gettext_lazy("Inbox"), _inbox, _inbox_params, _describe_filter))


# --- starting and running ----------------------------------------------------------


class ExportRefused(Exception):
    """An export that cannot be made; ``message`` is translated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def start(user, source_name: str, params: dict) -> CaseExport:
    """Record an export of list ``source_name`` under ``params`` by ``user``.

    Up to ``SYNC_LIMIT`` rows the file is written now (the job is returned done);
    beyond, the job waits for the export worker. Either way the row is the audit record.
    """
    found = source(source_name)
    if found is None:
        raise ExportRefused(_("This list cannot be exported."))
    total = found.cases(user, params).count()
    job = CaseExport.objects.create(
        user=user,
        source=source_name,
        params=params,
        description=str(found.describe(params))[:500],
        total=total,
    )
    if total <= SYNC_LIMIT:
        run(job)
        job.refresh_from_db()
    clean_old_files()
    return job


def export_dir() -> Path:
    return Path(settings.DATA_DIR) / "exports"


def file_path(job: CaseExport) -> Path | None:
    """The job's file, if it is done and the file still there."""
    if job.state != State.DONE or not job.file_name:
        return None
    path = export_dir() / job.file_name
    return path if path.is_file() else None


def download_name(job: CaseExport) -> str:
    return _("cases-%(at)s.xlsx") % {"at": f"{timezone.localtime(job.created_at):%Y%m%d-%H%M}"}


def _claim(job_id: int, states: Q) -> bool:
    now = timezone.now()
    return bool(
        CaseExport.objects.filter(states, pk=job_id).update(
            state=State.RUNNING, started_at=now, heartbeat_at=now, written=0
        )
    )


def _claimable() -> Q:
    stale = timezone.now() - STALE_AFTER
    return Q(state=State.PENDING) | Q(state=State.RUNNING, heartbeat_at__lt=stale)


def run(job: CaseExport) -> bool:
    """Claim ``job`` and write its file; False when another worker has it."""
    if not _claim(job.pk, _claimable()):
        return False
    found = source(job.source)
    name = f"{job.pk}-{secrets.token_hex(8)}.xlsx"
    target = export_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    try:
        if found is None:
            raise ExportRefused(_("This list cannot be exported."))
        cases = found.cases(job.user, job.params)
        written = write_workbook(partial, cases, progress=lambda n: _progress(job, n))
        partial.replace(target)
    except Exception as exc:
        logger.exception("export %s failed", job.pk)
        partial.unlink(missing_ok=True)
        message = (
            exc.message if isinstance(exc, ExportRefused) else _("The file could not be written.")
        )
        CaseExport.objects.filter(pk=job.pk).update(
            state=State.FAILED, error=str(message)[:500], finished_at=timezone.now()
        )
        return True
    CaseExport.objects.filter(pk=job.pk).update(
        state=State.DONE,
        written=written,
        total=written,
        file_name=name,
        finished_at=timezone.now(),
    )
    return True


def _progress(job: CaseExport, written: int) -> None:
    CaseExport.objects.filter(pk=job.pk).update(written=written, heartbeat_at=timezone.now())


def run_pending(limit: int = 1) -> int:
    """Write up to ``limit`` waiting exports (the worker's pass); how many it wrote."""
    done = 0
    for job in CaseExport.objects.filter(_claimable()).order_by("created_at")[:limit]:
        done += run(job)
    clean_old_files()
    return done


def clean_old_files(now: datetime | None = None) -> int:
    """Delete the files written more than ``KEEP_FILES`` ago; the rows stay (audit)."""
    old = CaseExport.objects.filter(
        state=State.DONE, finished_at__lt=(now or timezone.now()) - KEEP_FILES
    )
    cleaned = 0
    for job in old.only("pk", "file_name"):
        if job.file_name:
            (export_dir() / job.file_name).unlink(missing_ok=True)
        with transaction.atomic():
            cleaned += CaseExport.objects.filter(pk=job.pk, state=State.DONE).update(
                state=State.EXPIRED, file_name=""
            )
    return cleaned


# --- the workbook ------------------------------------------------------------------

COLUMNS = (
    (gettext_lazy("Case number"), 16),
    (gettext_lazy("Received"), 17),
    (gettext_lazy("Channel"), 12),
    (gettext_lazy("Request type"), 10),
    (gettext_lazy("Category"), 30),
    (gettext_lazy("Urgency"), 8),
    (gettext_lazy("Title"), 30),
    (gettext_lazy("Description"), 60),
    (gettext_lazy("Address"), 30),
    (gettext_lazy("Region"), 24),
    (gettext_lazy("Grid"), 16),
    (gettext_lazy("Main department"), 20),
    (gettext_lazy("Co-handling departments"), 24),
    (gettext_lazy("Status"), 14),
    (gettext_lazy("Step deadline"), 17),
    (gettext_lazy("Handling deadline"), 17),
    (gettext_lazy("Light"), 8),
    (gettext_lazy("Rating"), 10),
    (gettext_lazy("Closed"), 17),
    (gettext_lazy("Reply"), 40),
    (gettext_lazy("Reporter (masked)"), 10),
    (gettext_lazy("Phone (masked)"), 14),
)

FIELDS = (
    "pk",
    "number",
    "created_at",
    "channel",
    "request_type",
    "category_id",
    "urgency",
    "title",
    "content",
    "address",
    "region_path",
    "owner_region_id",
    "grid_id",
    "main_department_id",
    "status",
    "due_at",
    "warn_at",
    "handle_due_at",
    "rating",
    "closed_at",
    "reply",
    "reporter_name",
    "reporter_phone",
)
DATE_FORMAT = "yyyy-mm-dd hh:mm"


class _Names:
    """The names a row shows, read once per export: categories as paths, regions,
    departments, and the labels of the choices in the reader's language."""

    def __init__(self):
        categories = {c.pk: c for c in Category.objects.only("pk", "code", "name", "parent_id")}
        self.category = {pk: self._path(pk, categories) for pk in categories}
        regions = Region.objects.values_list("pk", "code", "name")
        self.region_by_id = {pk: name for pk, _code, name in regions}
        self.region_by_code = {code: name for _pk, code, name in regions}
        self.department = dict(Department.objects.values_list("pk", "name"))
        self.labels = {
            "channel": dict(Channel.choices),
            "request_type": dict(RequestType.choices),
            "urgency": dict(Urgency.choices),
            "status": dict(Status.choices),
            "rating": dict(Rating.choices),
            "light": dict(Light.choices),
        }
        self.labels = {k: {v: str(lbl) for v, lbl in d.items()} for k, d in self.labels.items()}

    @staticmethod
    def _path(pk: int, categories: dict) -> str:
        names, seen = [], set()
        node = categories.get(pk)
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = categories.get(node.parent_id)
        leaf = categories[pk]
        return f"{leaf.code} " + " / ".join(reversed(names))

    def region(self, path: str, owner_id: int | None) -> str:
        """The places above the grid (district down to community), or the centre."""
        codes = [c for c in path.split("/") if c]
        names = [self.region_by_code.get(c, c) for c in codes[:-1]]
        if not names:
            return self.region_by_id.get(owner_id, "") if owner_id else ""
        return " / ".join(names)


def _local(value: datetime | None) -> datetime | None:
    # Excel has no time zones: the reader's local time to the minute, as on the pages.
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value or "")


def _row(values: dict, names: _Names, co: dict[int, list[str]], now: datetime) -> list:
    labels = names.labels
    light = light_at(
        values["due_at"], values["warn_at"], now, is_open=values["status"] not in CLOSED_STATUSES
    )
    return [
        values["number"],
        _local(values["created_at"]),
        labels["channel"].get(values["channel"], values["channel"]),
        labels["request_type"].get(values["request_type"], values["request_type"]),
        names.category.get(values["category_id"], ""),
        labels["urgency"].get(values["urgency"], values["urgency"]),
        _text(values["title"]),
        _text(values["content"]),
        _text(values["address"]),
        names.region(values["region_path"], values["owner_region_id"]),
        names.region_by_id.get(values["grid_id"], "") if values["grid_id"] else "",
        names.department.get(values["main_department_id"], ""),
        "、".join(co.get(values["pk"], [])),
        labels["status"].get(values["status"], values["status"]),
        _local(values["due_at"]),
        _local(values["handle_due_at"]),
        labels["light"][light] if light != Light.NONE else "",
        labels["rating"].get(values["rating"], ""),
        _local(values["closed_at"]),
        _text(values["reply"]),
        mask_name(values["reporter_name"]),
        mask_phone(values["reporter_phone"]),
    ]


def _chunks(cases: QuerySet) -> Iterator[list[dict]]:
    rows = cases.prefetch_related(None).values(*FIELDS).iterator(chunk_size=CHUNK)
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _co_departments(pks: list[int], names: _Names) -> dict[int, list[str]]:
    through = Case.co_departments.through.objects.filter(case_id__in=pks)
    found: dict[int, list[str]] = {}
    for case_id, department_id in through.values_list("case_id", "department_id"):
        found.setdefault(case_id, []).append(names.department.get(department_id, ""))
    return found


def _cell(sheet, value):
    """A cell for ``value``; text starting with ``=`` stays text, never a formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def write_workbook(target, cases: QuerySet, progress: Callable[[int], None] | None = None) -> int:
    """Write ``cases`` (in their order) to an .xlsx file at ``target``; the rows written.

    ``target`` is a path or a binary file object. ``progress`` hears the count after
    every chunk.
    """
    names = _Names()
    now = timezone.now()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(_("Cases"))[:31])
    sheet.freeze_panes = "A2"
    for index, (_label, width) in enumerate(COLUMNS):
        sheet.column_dimensions[_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for label, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, str(label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for chunk in _chunks(cases):
        co = _co_departments([row["pk"] for row in chunk], names)
        for values in chunk:
            sheet.append([_cell(sheet, v) for v in _row(values, names, co, now)])
        written += len(chunk)
        if progress is not None:
            progress(written)
    book.save(target)
    return written


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
