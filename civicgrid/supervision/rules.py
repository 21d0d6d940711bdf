"""The escalation rule, in one place: settings may override any part of it.

``settings.CIVICGRID_SUPERVISION`` (a dict, optional) replaces the defaults key by key:

- ``case_late``: level → working days a case is past its deadline before its unit gets
  an order of that level (by default 1 day: 催办, 3 days: 督办; 挂牌督办 is never
  automatic for a late case, the centre lists a case itself);
- ``respond_within``: level → working days the unit has to respond;
- ``raise_when_response_late``: an order not responded to in time rises one level.
"""

from dataclasses import dataclass

from django.conf import settings

from .models import RANK, Level

_RESPOND_WITHIN = {Level.URGING: 1, Level.SUPERVISION: 2, Level.LISTED: 3}
DEFAULTS: dict = {
    "case_late": {Level.URGING: 1, Level.SUPERVISION: 3},
    "respond_within": _RESPOND_WITHIN,
    "raise_when_response_late": True,
}


@dataclass(frozen=True)
class EscalationRule:
    case_late: dict[str, float]
    respond_within: dict[str, float]
    raise_when_response_late: bool

    def level_for_lateness(self, days_late: float) -> str | None:
        """The highest level whose threshold ``days_late`` working days reach."""
        reached = [level for level, days in self.case_late.items() if days_late >= days]
        return max(reached, key=lambda level: RANK[Level(level)], default=None)

    @property
    def first_threshold(self) -> float | None:
        return min(self.case_late.values(), default=None)


def rule() -> EscalationRule:
    """The rule in force: the defaults, with the settings' keys over them."""
    configured = {**DEFAULTS, **getattr(settings, "CIVICGRID_SUPERVISION", {})}
    return EscalationRule(
        case_late={Level(k): float(v) for k, v in configured["case_late"].items()},
        respond_within={
            **{Level(k): float(v) for k, v in _RESPOND_WITHIN.items()},
            **{Level(k): float(v) for k, v in configured["respond_within"].items()},
        },
        raise_when_response_late=bool(configured["raise_when_response_late"]),
    )
