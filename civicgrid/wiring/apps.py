from django.apps import AppConfig


class WiringConfig(AppConfig):
    """Last in ``INSTALLED_APPS``: once every app is loaded, plug the upper apps in."""

    name = "civicgrid.wiring"
    label = "wiring"

    def ready(self) -> None:
        from .extensions import connect

        connect()
