"""What each app contributes to the project, declared in the app's own ``contributions.py``.

The project package discovers those modules (``discover()``, the way the admin discovers ``admin.py``)
and reads this registry: reference data to load, history tables and event tables for the 变更记录
timeline, API routers to mount, spreadsheet sheets of the workbook, admin screens that are not a
model's list, and notices one app shows on another app's admin screens.
Adding an app therefore touches no other app's module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from .loading import LoadReport

MODULE_NAME = "contributions"
# How the timeline shows an empty value; a timeline source's ``label`` receives display values.
EMPTY_VALUE = "—"


class AlreadyRegistered(ValueError):
    """The same thing was contributed twice (two apps claiming one model, sheet or loader)."""


@dataclass(frozen=True)
class ReferenceData:
    """A loader of reference data: idempotent, counting what it changed in the report."""

    name: str
    load: Callable[[LoadReport], None]
    order: int


@dataclass(frozen=True)
class HistorySource:
    """One history table of the 变更记录 timeline: the model, the lookups its free text matches, its label.

    ``label`` names an object from its fields' display values (None: the model's own ``__str__``);
    ``label_joins`` are the relations to fetch when another table's row names one of these objects.
    """

    model: type[Model]
    search: tuple[str, ...]
    label: Callable[[Callable[[str], str]], str] | None = None
    label_joins: tuple[str, ...] = ()
    order: int = 100

    # The columns of ``rows`` every timeline source names (see ``EventSource``).
    row_id = "history_id"
    object_id = "id"
    when = "history_date"
    user = "history_user"
    action = "history_type"  # "+", "~" or "-"
    reason = "history_change_reason"

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def history(self) -> QuerySet:
        return self.model.history.all()

    @property
    def rows(self) -> QuerySet:
        """The timeline's rows of this source: one per version."""
        return self.history


@dataclass(frozen=True)
class EventSource:
    """A table whose rows are events, written once and never changed (a release): one timeline entry each.

    The entry is read from the model's own fields: ``when`` its time, ``user`` the foreign key to who
    acted, ``action`` a choice field whose labels name the action, ``reason`` the text shown as the
    reason, and ``facts`` listed where a history row lists its changes (blank ones and unset flags left
    out). ``label`` names the event from the display values of its facts and its region field. Free text
    matches ``reason``, the user's name and the ``search`` lookups. Only these columns are read, so a
    large column (a release's snapshot) never leaves the database.
    """

    model: type[Model]
    when: str
    user: str
    action: str
    reason: str
    facts: tuple[str, ...]
    search: tuple[str, ...] = ()
    label: Callable[[Callable[[str], str]], str] | None = None
    order: int = 100

    row_id = object_id = "pk"  # the event is its own object

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def rows(self) -> QuerySet:
        """The timeline's rows of this source: the events themselves."""
        return self.model._base_manager.all()


TimelineSource = HistorySource | EventSource


@dataclass(frozen=True)
class Sheet:
    """A sheet of the configuration workbook; sheets import in ``order`` (what they refer to first)."""

    resource: type
    order: int

    @property
    def name(self) -> str:
        return self.resource.sheet


@dataclass(frozen=True)
class AdminNotice:
    """What one app says on another app's admin screens (the releases: 未发布的修改 on the draft screens).

    ``screen`` is the model label of the screens (``config_center.localmatter``); they call
    ``render(request, regions)`` with the cities they are about — None on a screen about the user's whole,
    province-wide scope — and show the HTML it returns ("" says nothing). So the screen's app never imports
    the contributor, which may sit in a layer above it.
    """

    name: str
    screen: str
    render: Callable[[Any, Any], str]
    order: int


class Registry:
    def __init__(self) -> None:
        self._reference: dict[str, ReferenceData] = {}
        self._history: dict[type, HistorySource] = {}
        self._events: dict[type, EventSource] = {}
        self._routers: list[Any] = []
        self._read_routers: list[Any] = []
        self._sheets: dict[str, Sheet] = {}
        self._screens: dict[str, type] = {}
        self._notices: dict[str, AdminNotice] = {}

    def reference_data(self, name: str, load: Callable[[LoadReport], None], *, order: int) -> None:
        self._add(self._reference, name, ReferenceData(name, load, order))

    def history(self, model: type[Model], *, search: tuple[str, ...], **options: Any) -> None:
        self._add_source(self._history, model, HistorySource(model, search, **options))

    def events(self, model: type[Model], **mapping: Any) -> None:
        """A table of events for the 变更记录 timeline, with its field mapping (see ``EventSource``)."""
        self._add_source(self._events, model, EventSource(model, **mapping))

    def _add_source(self, bucket: dict, model: type[Model], source: TimelineSource) -> None:
        if model in self._history or model in self._events:  # one timeline source per table
            raise AlreadyRegistered(f"{model!r} contributed twice")
        bucket[model] = source

    def api_router(self, router: Any, *, reads: bool = False) -> None:
        """An API router; ``reads``: its operations are reads open to the intranet (catalog, checklist, route),
        which the project gates as ``API_READS_REQUIRE_CLIENT`` says. Other routers authenticate in their views."""
        if router in self._routers:
            raise AlreadyRegistered(f"API router {router!r} contributed twice")
        self._routers.append(router)
        if reads:
            self._read_routers.append(router)

    def sheet(self, resource: type, *, order: int) -> None:
        self._add(self._sheets, resource.sheet, Sheet(resource, order))

    def admin_screen(self, screen: type) -> None:
        """A screen of the admin site that is not a model's list (see ``core.admin.AdminScreen``)."""
        self._add(self._screens, screen.url_name, screen)

    def admin_notice(self, name: str, render: Callable[[Any, Any], str], *, screen: str, order: int) -> None:
        """A notice on the admin screens of the model labelled ``screen`` (see ``AdminNotice``)."""
        self._add(self._notices, name, AdminNotice(name, screen, render, order))

    @staticmethod
    def _add(bucket: dict, key, value) -> None:
        if key in bucket:
            raise AlreadyRegistered(f"{key!r} contributed twice")
        bucket[key] = value

    @property
    def reference_loaders(self) -> tuple[ReferenceData, ...]:
        return tuple(sorted(self._reference.values(), key=lambda item: (item.order, item.name)))

    @property
    def history_sources(self) -> tuple[HistorySource, ...]:
        return tuple(sorted(self._history.values(), key=lambda item: item.order))

    def history_source(self, model: type) -> HistorySource | None:
        return self._history.get(model)

    @property
    def timeline_sources(self) -> tuple[TimelineSource, ...]:
        """The history tables and the event tables of the 变更记录 timeline, in menu order."""
        merged = [*self._history.values(), *self._events.values()]
        return tuple(sorted(merged, key=lambda item: item.order))

    @property
    def api_routers(self) -> tuple[Any, ...]:
        return tuple(self._routers)

    def is_read_router(self, router: Any) -> bool:
        return router in self._read_routers

    @property
    def sheets(self) -> tuple[Sheet, ...]:
        return tuple(sorted(self._sheets.values(), key=lambda item: (item.order, item.name)))

    @property
    def admin_screens(self) -> tuple[type, ...]:
        return tuple(self._screens.values())

    def admin_notices(self, screen: str) -> tuple[AdminNotice, ...]:
        """The notices contributed for the admin screens of the model labelled ``screen``, in order."""
        found = [notice for notice in self._notices.values() if notice.screen == screen]
        return tuple(sorted(found, key=lambda notice: (notice.order, notice.name)))


registry = Registry()


def discover() -> None:
    """Import every installed app's ``contributions`` module (once per process)."""
    autodiscover_modules(MODULE_NAME)
