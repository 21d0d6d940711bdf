"""Read-only reference data for other systems: the category taxonomy and the departments."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from civicgrid.core.api import ErrorOut, versioned_json

from . import catalogue
from .models import Category, Department

router = Router(tags=["reference"])


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None = Field(description="Parent code.")
    request_types: list[str] = Field(description="Empty: every request type.")
    default_urgency: str
    extra_fields: list[dict[str, Any]] = Field(description="What intake must ask for.")

    @staticmethod
    def resolve_parent(category: Category) -> str | None:
        return category.parent.code if category.parent_id else None


class DepartmentOut(Schema):
    code: str
    name: str
    kind: str
    stationed: bool


@router.get(
    "/categories", response={200: list[CategoryOut], 401: ErrorOut}, summary="Active categories"
)
def list_categories(request: HttpRequest):
    """Rendered once per version of the category table, shared by every process."""

    def build() -> list[dict]:
        rows = Category.objects.filter(active=True).select_related("parent").order_by("code")
        return [CategoryOut.model_validate(c).model_dump() for c in rows]

    return versioned_json(request, "api.categories", catalogue.categories_version(), build)


@router.get(
    "/departments",
    response={200: list[DepartmentOut], 401: ErrorOut},
    summary="Active departments",
)
def list_departments(request: HttpRequest):
    return list(Department.objects.filter(active=True).order_by("code"))
