"""What the case forms share: choice lists loaded once per page, files, positions."""

from functools import cached_property

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.regions.datum import Datum
from civicgrid.routing import catalogue, leaves
from civicgrid.routing.models import Category, Department, DepartmentKind

from .. import attachments

DATUM_CHOICES = Datum.choices
# How a dispatcher looks for a unit: bureaus first, then streets, communities, utilities.
KIND_ORDER = [
    DepartmentKind.BUREAU,
    DepartmentKind.STREET,
    DepartmentKind.COMMUNITY,
    DepartmentKind.COMPANY,
    DepartmentKind.CENTRE,
]
ATTACHMENT_ACCEPT = "image/*,application/pdf,.doc,.docx,.xls,.xlsx,.txt"
# A one-line input that shows how many of its characters are used (``forms.js``, which
# counts every text area with a ``maxlength`` anyway).
COUNTED = {"data-counter": ""}


class Options:
    """Choice lists shared by every form on one page, each loaded at most once."""

    @cached_property
    def departments(self) -> list[tuple[int, str]]:
        return list(
            Department.objects.filter(active=True).order_by("code").values_list("pk", "name")
        )

    @cached_property
    def department_groups(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """Active departments grouped by kind (bureaus, streets, communities, utilities,
        centres), each group in code order: choices with one ``<optgroup>`` per kind."""
        by_kind: dict[str, list[tuple[int, str]]] = {}
        rows = Department.objects.filter(active=True).order_by("code")
        for pk, name, kind in rows.values_list("pk", "name", "kind"):
            by_kind.setdefault(kind, []).append((pk, name))
        order = [*KIND_ORDER, *sorted(set(by_kind) - set(KIND_ORDER))]
        labels = dict(DepartmentKind.choices)
        return [(str(labels.get(kind, kind)), by_kind[kind]) for kind in order if kind in by_kind]

    @cached_property
    def leaf_groups(self) -> list:
        """The leaf categories, one group per parent ("04 环境保护 › 环境污染"), in code
        order; a first-level category without subcategories is an option of its own."""
        choices: list = []
        for leaf in leaves.leaves():
            option = (leaf.pk, f"{leaf.code} {leaf.name}")
            if leaf.parent is None:
                choices.append(option)
                continue
            path = list(reversed(leaf.parent.lineage()))
            label = f"{leaf.parent.code} " + " › ".join(node.name for node in path)
            if choices and isinstance(choices[-1][1], list) and choices[-1][0] == label:
                choices[-1][1].append(option)
            else:
                choices.append((label, [option]))
        return choices

    @cached_property
    def leaf_ids(self) -> set[int]:
        return {leaf.pk for leaf in leaves.leaves()}

    @cached_property
    def categories(self) -> list[Category]:
        """The active categories by code, from the process's copy (read-only)."""
        return catalogue.active_in_code_order()

    @cached_property
    def category_choices(self) -> list:
        """Categories grouped under their top-level category, indented by depth."""
        by_parent: dict[int | None, list[Category]] = {}
        for category in self.categories:
            by_parent.setdefault(category.parent_id, []).append(category)
        known = {c.pk for c in self.categories}
        roots = [c for c in self.categories if c.parent_id is None or c.parent_id not in known]
        groups = []
        for root in roots:
            options, todo = [], [(root, 0)]
            while todo:
                node, depth = todo.pop()
                options.append((node.pk, "\u3000" * depth + f"{node.code} {node.name}"))
                todo.extend((child, depth + 1) for child in reversed(by_parent.get(node.pk, [])))
            groups.append((root.name, options))
        return groups


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by its bytes, images cleaned (``attachments``)."""

    def __init__(self, *args, **kwargs):
        # ``forms.js`` refuses a file over the limit as it is chosen, before anything is sent.
        attrs = {
            "accept": ATTACHMENT_ACCEPT,
            "data-max-bytes": attachments.MAX_BYTES,
            "data-too-large": _("“%(name)s” is larger than 10 MB."),
        }
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data] if data else []
        files = [super(MultipleFileField, self).clean(item, initial) for item in items]
        try:
            # Checked and cleaned here, before any transaction: views store what this returns.
            return attachments.check_files(files)
        except attachments.FileProblem as problem:
            raise forms.ValidationError(str(problem)) from None


class CategorySelect(forms.Select):
    """A category select whose options carry their default urgency for the intake script."""

    def __init__(self, *args, urgencies: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.urgencies = urgencies or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        urgency = self.urgencies.get(getattr(value, "value", value))
        if urgency:
            option["attrs"]["data-urgency"] = urgency
        return option


def _coordinate(label, limit: int, required: bool) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=required,
        min_value=-limit,
        max_value=limit,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def position_fields(required: bool) -> dict[str, forms.Field]:
    return {
        "lng": _coordinate(_("Longitude"), 180, required),
        "lat": _coordinate(_("Latitude"), 90, required),
        "datum": forms.ChoiceField(
            label=_("Coordinate system"),
            choices=DATUM_CHOICES,
            initial="wgs84",
            help_text=_("Which map the coordinates come from; they are stored as WGS84."),
        ),
    }
