"""Reads of releases."""

from .models import Release


def live_release(region) -> Release | None:
    """The city's newest release (what the runtime serves), or None before its first publish."""
    return Release.objects.filter(region=region).order_by("-number").first()
