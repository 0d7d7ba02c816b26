"""Spreadsheets: cell cleaning (``normalize``), django-import-export widgets, the base resource and admin mixin."""
