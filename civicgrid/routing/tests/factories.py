"""Departments, categories and routing rules for tests."""

from itertools import count

from civicgrid.routing.models import Category, Department, DepartmentKind, RoutingRule

_seq = count(1)


def make_department(name: str = "城市管理局", **overrides) -> Department:
    code = overrides.pop("code", f"D{next(_seq):04d}")
    return Department.objects.create(
        code=code, name=name, kind=overrides.pop("kind", DepartmentKind.BUREAU), **overrides
    )


def make_category(name: str = "市容环境", **overrides) -> Category:
    code = overrides.pop("code", f"C{next(_seq):04d}")
    return Category.objects.create(code=code, name=name, **overrides)


def make_rule(category, main_department, region=None, co=()) -> RoutingRule:
    rule = RoutingRule.objects.create(
        category=category, region=region, main_department=main_department
    )
    rule.co_departments.set(co)
    return rule
