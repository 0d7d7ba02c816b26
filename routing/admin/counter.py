"""Placeholder: the counter screens (filled in by their own commit)."""

SCREENS: list = []  # core.admin.AdminScreen subclasses, registered by routing.contributions
