"""What other apps give the assessment, connected by the project wiring only.

``register_accountability(source)``: ``source(since, until)`` returns {department id:
number of accountability records (copies to discipline inspection, the inspectors'
warnings, rectification orders, recommendations) in [since, until)}. The red/black
list reads them through ``accountability_counts``; ``supervision`` provides the
source (``supervision.accountability.records_by_unit``), and the wiring connects it,
so neither app imports the other.
"""

from collections import Counter
from collections.abc import Callable
from datetime import datetime

AccountabilitySource = Callable[[datetime, datetime], dict[int, int]]
ACCOUNTABILITY: list[AccountabilitySource] = []


def register_accountability(source: AccountabilitySource) -> None:
    if source not in ACCOUNTABILITY:
        ACCOUNTABILITY.append(source)


def accountability_counts(since: datetime, until: datetime) -> dict[int, int]:
    total: Counter = Counter()
    for source in ACCOUNTABILITY:
        total.update(source(since, until))
    return dict(total)
