"""What upper apps may add to the reference data's pages; filled in
``civicgrid/wiring/extensions.py``."""

from collections.abc import Callable

# First-level category name → the threshold above which the model in use is right ≥ 99%.
ModelThresholds = Callable[[], dict[str, float]]
_model_thresholds: list[ModelThresholds] = []


def register_model_thresholds(source: ModelThresholds) -> None:
    """The category admin shows these beside each category's auto-dispatch threshold."""
    _model_thresholds[:] = [source]


def model_thresholds() -> dict[str, float]:
    return _model_thresholds[0]() if _model_thresholds else {}
