"""A hot issue's case list as an exportable list (``cases.exports``), from the wiring."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.exports import Source
from civicgrid.cases.models import Case

from .queries import hot_issue_cases, visible_hot_issues


def _params(query) -> dict:
    key = str(query.get("key") or "")[:20]
    return {"key": key} if key else {}


def _cases(user, params: dict) -> QuerySet:
    issue = visible_hot_issues(user).filter(key=params.get("key", "")).first()
    if issue is None:
        return Case.objects.none()
    return hot_issue_cases(user, issue)


def _describe(params: dict) -> str:
    return f"key={params.get('key', '')}"


HOT_ISSUE_CASES = Source(_("Hot issue"), _cases, _params, _describe)
