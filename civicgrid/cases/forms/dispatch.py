"""The dispatch form: a leaf category from the whole tree, the suggestions on top, the
suggested department preselected, the units grouped by kind.

The triage model only knows first-level categories; its guesses are narrowed to the
leaves beneath them that the case's words name (``routing.leaves``). Without script the
category list is a plain ``<select>`` with one ``<optgroup>`` per parent;
``static/civicgrid/picker.js`` adds a search box that filters it by name or code and
moves the main department to the one the rules give for the category picked.
"""

from dataclasses import dataclass, field

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.routing import leaves
from civicgrid.routing.models import Category
from civicgrid.routing.services import NO_SUGGESTION, RuleTable, Suggestion, case_region_codes

from ..extensions import category_guesses
from ..templatetags.case_tags import percent
from .actions import ActionForm

MAX_SUGGESTED = 5


@dataclass
class CategoryPick:
    """What the category list of one case's dispatch form starts with."""

    suggested: list[tuple[int, str]] = field(default_factory=list)  # the "Suggested" group
    unresolved: list[tuple[int, str]] = field(default_factory=list)  # guesses no leaf fits
    preselected: Category | None = None

    @property
    def route_by(self) -> int | None:
        """The category to suggest a department for: the preselected leaf, else the
        model's best guess."""
        if self.preselected is not None:
            return self.preselected.pk
        return self.unresolved[0][0] if self.unresolved else None


def pick_category(
    case, guesses: list[dict] | None = None, tree: leaves.Tree | None = None
) -> CategoryPick:
    """The leaves to suggest for ``case``: its own category if it is a leaf, then the
    leaves its words name beneath its own (parent) category and the model's guesses.
    A page of cases passes one ``tree``."""
    guesses = category_guesses(case) if guesses is None else guesses
    tree = tree or leaves.tree()
    pick = CategoryPick()
    own = tree.active(case.category_id)
    if own is not None and tree.is_leaf(own):
        pick.suggested.append((own.pk, _("%(category)s · as registered") % {"category": own}))
    title, text = case.title or "", case.content or ""
    branches: list[tuple[Category, str]] = []
    if own is not None and not tree.is_leaf(own):
        branches.append((own, ""))
    for guess in guesses:
        root = tree.active(guess["category"])
        if root is not None:
            branches.append((root, percent(guess["p"])))
    seen = {pk for pk, _label in pick.suggested}
    for branch, p in branches:
        if tree.is_leaf(branch):  # a first-level category without subcategories
            named = [branch] if branch.pk not in seen else []
        else:
            found = tree.named_in(text, branch, title=title)
            named = [n.category for n in found if n.category.pk not in seen]
        for leaf in named:
            seen.add(leaf.pk)
            why = p if leaf.pk == branch.pk else f"{branch.name} {p}"
            pick.suggested.append((leaf.pk, f"{leaf} · {why}" if p else str(leaf)))
        if not named and p and branch.pk not in seen:
            seen.add(branch.pk)
            label = _("%(category)s · model %(p)s: choose one of its subcategories")
            pick.unresolved.append((branch.pk, label % {"category": branch, "p": p}))
    pick.suggested = pick.suggested[:MAX_SUGGESTED]
    if pick.suggested:
        pick.preselected = tree.active(pick.suggested[0][0])
    return pick


def route_category(case, guesses: list[dict], tree: leaves.Tree) -> int | None:
    """``pick_category(case, guesses, tree).route_by`` without making the list: the
    first leaf it would suggest, else the first guess no leaf fits. A queue of cards
    needs only this; the whole list cut every guess's leaves out of each case's words."""
    own = tree.active(case.category_id)
    if own is not None and tree.is_leaf(own):
        return own.pk
    title, text = case.title or "", case.content or ""
    branches: list[tuple[Category | None, bool]] = [(own, False)] if own is not None else []
    branches += [(tree.active(g["category"]), bool(percent(g["p"]))) for g in guesses]
    unresolved = None
    for branch, guessed in branches:
        if branch is None:
            continue
        if tree.is_leaf(branch):
            return branch.pk
        found = tree.named_in(text, branch, title=title)
        if found:
            return found[0].category.pk
        if guessed and unresolved is None:
            unresolved = branch.pk
    return unresolved


class LeafSelect(forms.Select):
    """The category list: each option carries the main department the rules give for it
    here (``data-department``); a first-level guess with no fitting leaf is shown,
    disabled, so the dispatcher looks beneath it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments: dict[int, int] = {}
        self.disabled: set[int] = set()

    def render(self, name, value, attrs=None, renderer=None):
        """Written out here rather than through a template per option: the list has
        ~500 options and the form-widget templates would take most of the request."""
        chosen = {str(v) for v in self.format_value(value)}
        attrs = self.build_attrs(self.attrs, attrs)
        html = [format_html('<select name="{}"{}>', name, flatatt(attrs))]
        for group, options in self.choices:
            if isinstance(options, list | tuple):
                html.append(format_html('<optgroup label="{}">', group))
                html.extend(self._option(v, label, chosen) for v, label in options)
                html.append("</optgroup>")
            else:
                html.append(self._option(group, options, chosen))
        html.append("</select>")
        return mark_safe("".join(html))  # noqa: S308 (every part escaped by format_html)

    def _option(self, value, label, chosen: set[str]) -> str:
        key = getattr(value, "value", value)
        extra = ""
        if key in self.departments:
            extra += format_html(' data-department="{}"', self.departments[key])
        if str(key) in chosen:
            extra += " selected"
            chosen.discard(str(key))  # once: a suggestion is also in the tree
        if key in self.disabled:
            extra += " disabled"
        return format_html('<option value="{}"{}>{}</option>', key, mark_safe(extra), label)  # noqa: S308


class DispatchForm(ActionForm):
    """A leaf category, the main department (preselected from the routing rules for the
    preselected category) and co-handlers; the dispatcher decides."""

    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.filter(active=True),
        required=False,
        widget=LeafSelect,
        help_text=gettext_lazy(
            "The suggestions first; type a name or code to find any subcategory."
        ),
    )
    main_department = forms.TypedChoiceField(label=gettext_lazy("Main department"), coerce=int)
    co_departments = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Co-handling departments"),
        coerce=int,
        required=False,
        help_text=gettext_lazy("Hold Ctrl (or ⌘) to choose several."),
    )

    def setup(self):
        groups = self.options.department_groups
        self.fields["main_department"].choices = [("", "—"), *groups]
        self.fields["co_departments"].choices = groups
        count = sum(len(units) for _kind, units in groups)
        self.fields["co_departments"].widget.attrs["size"] = min(8, max(3, count))
        self.pick = pick_category(self.case)
        table = self._rules()
        codes = case_region_codes(self.case)
        self.suggestion: Suggestion = (
            table.pick(self.pick.route_by, codes) if self.pick.route_by else NO_SUGGESTION
        )
        self._category_field(table, codes)
        main, co = self.suggestion
        if main is not None and not self.initial.get("main_department"):
            self.initial["main_department"] = main.pk
            self.initial["co_departments"] = [d.pk for d in co]
        self.order_fields(["category", "main_department", "co_departments", "note"])

    def _rules(self) -> RuleTable:
        return RuleTable.load(self.options.leaf_ids | {pk for pk, _l in self.pick.unresolved})

    def _category_field(self, table: RuleTable, codes) -> None:
        field_ = self.fields["category"]
        current = self.case.category
        keeps = leaves.is_leaf(current)
        field_.required = not keeps
        field_.error_messages["required"] = _("Choose the subcategory this case belongs to.")
        empty = (
            _("keep: %(category)s") % {"category": f"{current.code} {current.name}"}
            if keeps
            else _("— choose a category —")
        )
        suggested = [*self.pick.suggested, *self.pick.unresolved]
        choices: list = [("", empty)]
        if suggested:
            choices.append((_("Suggested categories"), suggested))
        field_.widget.choices = [*choices, *self.options.leaf_groups]
        widget = field_.widget
        # New dicts: a form's widgets are shallow copies of the class's.
        widget.disabled = {pk for pk, _label in self.pick.unresolved}
        widget.departments = {}
        for pk in self.options.leaf_ids | widget.disabled:
            main, _co = table.pick(pk, codes)
            if main is not None:
                widget.departments[pk] = main.pk
        widget.attrs.update(
            {
                "data-search": _("Type a name or code: 噪音, 0402…"),
                "data-no-match": _("No category matches."),
            }
        )
        if self.pick.preselected is not None and not self.initial.get("category"):
            self.initial["category"] = self.pick.preselected.pk

    def clean_category(self):
        category = self.cleaned_data.get("category")
        if category is not None and not leaves.is_leaf(category):
            raise forms.ValidationError(
                _("“%(category)s” has subcategories: choose the one that fits.")
                % {"category": f"{category.code} {category.name}"}
            )
        return category

    def action_data(self):
        data = self.cleaned_data
        main = data["main_department"]
        return {
            "main_department": main,
            "co_departments": [d for d in data["co_departments"] if d != main],
            "category": data.get("category"),
        }
