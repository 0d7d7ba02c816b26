"""Spreadsheet cell cleaning and django-import-export widgets shared by every app's resources (no app imports)."""
