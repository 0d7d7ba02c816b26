"""SMS templates, the placeholder vocabulary, rendering and the outbox (see the SMS issue)."""
