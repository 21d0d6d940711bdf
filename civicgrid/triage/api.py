"""The triage model's suggestion for one case, under ``/api/cases/{number}/suggestion``."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from civicgrid.cases.api import visible_case
from civicgrid.cases.schemas import Ref
from civicgrid.core.api import ERRORS
from civicgrid.routing import catalogue
from civicgrid.routing.services import suggest

from . import auto
from .models import CaseTriage

# Mounted beside the cases router: the path and the tag are the cases API's.
router = Router(tags=["cases"])


class CategoryGuess(Schema):
    code: str
    name: str
    probability: float = Field(
        description="Calibrated: of cases given 0.9, about 9 in 10 are right."
    )


class SuggestionOut(Schema):
    main_department: Ref | None = Field(
        description="By the case's category, or the model's best one when it has none."
    )
    co_departments: list[Ref]
    categories: list[CategoryGuess] = Field(
        description="The triage model's three most likely first-level categories."
    )
    auto_dispatch: str | None = Field(
        None, description="What the triage worker did with the case (outcome code)."
    )


@router.get(
    "/{number}/suggestion",
    response={200: SuggestionOut, **ERRORS},
    operation_id="civicgrid_cases_api_get_suggestion",
    summary="Category the triage model suggests, department the routing rules give",
)
def get_suggestion(request: HttpRequest, number: str):
    case = visible_case(request, number)
    row = CaseTriage.objects.filter(case=case).first()
    guesses = row.suggestions if row else auto.fresh_suggestions([case])[case.pk]
    category = case.category
    if category is None and guesses:
        category = catalogue.category(guesses[0]["code"])
    main, co = suggest(category, case.grid or case.owner_region)
    return {
        "main_department": main,
        "co_departments": co,
        "categories": [
            {"code": g["code"], "name": g["name"], "probability": g["p"]} for g in guesses
        ],
        "auto_dispatch": row.outcome if row else None,
    }
