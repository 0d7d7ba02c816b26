"""Routing of cases to handling agencies; later cases, review tasks and transfers."""
