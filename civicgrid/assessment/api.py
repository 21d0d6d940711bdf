"""The assessment for other systems: indicators, scores and schemes (``/api/assessment``)."""

from ninja import Router

router = Router(tags=["assessment"])
