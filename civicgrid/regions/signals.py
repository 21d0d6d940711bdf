"""What the regions tell the apps above them (which they cannot import)."""

from django.dispatch import Signal

# A subtree moved to another parent: sent with ``old_path`` and ``new_path`` after every
# region under ``old_path`` took ``new_path`` instead, in the same transaction. Apps that
# keep a copy of a region's path on their own rows follow it.
paths_moved = Signal()
