from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district and its loaders; an app only for its development commands."""

    name = "civicgrid.demo"
    label = "demo"
