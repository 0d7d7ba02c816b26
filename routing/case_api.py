"""The case API (``/api/v1/cases``, ``/api/v1/tasks``)."""

from ninja import Router

router = Router(tags=["业务"])
