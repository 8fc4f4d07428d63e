"""Signals of the metrics run, for layers above analytics (they subscribe; analytics never imports them)."""

from django.dispatch import Signal

# Sent by ``bankcrm metrics`` after the snapshot of ``as_of`` is stored; kwargs: as_of, engine.
metrics_computed = Signal()
