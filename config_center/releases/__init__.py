"""Releases: immutable numbered snapshots of a city's draft, publish and rollback, the publish policy."""
