"""Shared plumbing with no models and no imports of our apps: admin mixins, the API error type,
idempotent loading, spreadsheet base classes and cell cleaning, and the registry apps contribute to."""
