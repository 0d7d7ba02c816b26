"""The runtime: the pure engine, the per-process holder of its snapshot, and the checklist API."""
