"""Server-rendered case pages, one module per kind of page."""

from .detail import act, attachment, contact, detail
from .exports import export_file, export_start, export_status
from .intake import earlier_cases, intake
from .listing import case_list
from .maps import cases_geojson, grids_geojson
from .queues import callbacks, inbox, row_forms, tasks

__all__ = [
    "act",
    "attachment",
    "callbacks",
    "case_list",
    "cases_geojson",
    "contact",
    "detail",
    "earlier_cases",
    "export_file",
    "export_start",
    "export_status",
    "grids_geojson",
    "inbox",
    "row_forms",
    "intake",
    "tasks",
]
