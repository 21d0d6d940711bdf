"""Open311 "services" are our categories: every active leaf of the category tree.

A leaf is offered when it and all its ancestors are active; its first-level ancestor is
the Open311 ``group``. Read from the per-process category snapshot
(``routing.catalogue``), so listing services costs one version check, not a query per row.
"""

from django.db.models import Max

from civicgrid.routing import catalogue
from civicgrid.routing.models import Category

# Category.extra_fields may name an Open311 datatype in "type"; anything else is a string.
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def _active_chain(category: Category) -> bool:
    return all(node.active for node in category.lineage())


def offered() -> list[Category]:
    """The categories offered as Open311 services, by code."""
    categories = catalogue.categories()
    with_children = catalogue.with_active_children()
    return sorted(
        (c for c in categories.values() if c.pk not in with_children and _active_chain(c)),
        key=lambda c: c.code,
    )


def service(code: str) -> Category | None:
    """The offered category with ``code``, or None."""
    category = catalogue.category(code)
    if category is None or not _active_chain(category):
        return None
    if catalogue.has_active_children(category):
        return None
    return category


def path_names(category: Category) -> list[str]:
    """Names from the root down; ``category`` comes from the snapshot, parents linked."""
    return [node.name for node in reversed(category.lineage())]


def paths() -> dict[int, str]:
    """Every category's path of names (``市容环境 / 占道停车``) by id, from one snapshot read."""
    nodes = catalogue.categories().values()
    return {node.pk: " / ".join(n.name for n in reversed(node.lineage())) for node in nodes}


def as_service(category: Category) -> dict:
    """One entry of ``GET services``."""
    names = path_names(category)
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": " / ".join(names),
        "metadata": bool(fields_of(category)),
        "type": "realtime",
        "keywords": ",".join(names[:-1]),
        "group": names[0],
    }


def fields_of(category: Category) -> list[dict]:
    """The category's extra fields that have a name (the others cannot be answered)."""
    return [
        spec for spec in category.extra_fields or [] if isinstance(spec, dict) and spec.get("name")
    ]


def _values(spec: dict) -> list[dict]:
    values = []
    for choice in spec.get("choices") or []:
        if isinstance(choice, list | tuple) and len(choice) == 2:
            values.append({"key": str(choice[0]), "name": str(choice[1])})
        elif isinstance(choice, dict) and "key" in choice:
            values.append(
                {"key": str(choice["key"]), "name": str(choice.get("name", choice["key"]))}
            )
        else:
            values.append({"key": str(choice), "name": str(choice)})
    return values


def datatype_of(spec: dict) -> str:
    kind = spec.get("type")
    if kind in DATATYPES:
        return kind
    return "singlevaluelist" if spec.get("choices") else "string"


def as_attribute(spec: dict, order: int) -> dict:
    """One extra field as an Open311 attribute."""
    attribute = {
        "variable": True,
        "code": str(spec["name"]),
        "datatype": datatype_of(spec),
        "required": bool(spec.get("required")),
        "datatype_description": str(spec.get("help") or ""),
        "order": order,
        "description": str(spec.get("label") or spec["name"]),
    }
    if attribute["datatype"] in ("singlevaluelist", "multivaluelist"):
        attribute["values"] = _values(spec)
    return attribute


def definition(category: Category) -> dict:
    """``GET services/{code}``: the category's extra fields as attributes."""
    return {
        "service_code": category.code,
        "attributes": [as_attribute(spec, i) for i, spec in enumerate(fields_of(category), 1)],
    }


def changeset():
    """When the offered services last changed (the discovery ``changeset``)."""
    return Category.objects.aggregate(m=Max("updated_at"))["m"]


def known_codes() -> set[str]:
    """Codes of every category, offered or not: old cases keep retired codes."""
    return set(catalogue.categories())
