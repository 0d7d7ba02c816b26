"""The dependency graph of a joint application's cases as inline SVG, drawn on the server (pure: text in, text out).

Columns by depth (a case stands right of every case it waits for), boxes coloured by the kind of state the case
is in, an arrow from each prerequisite to the cases waiting for it, a legend above. Readable without JavaScript
and without anything fetched (the Content-Security-Policy allows neither); every text is escaped. Each box
links to the case's 详情 when a link is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from .. import states

BOX_WIDTH = 210
BOX_HEIGHT = 64
COLUMN_GAP = 70
ROW_GAP = 22
MARGIN = 12
LEGEND_HEIGHT = 34
ARC_ROOM = (
    34  # above the boxes, for the arcs of edges that skip a column (they would cross the boxes between)
)
LABEL_CHARS = 13  # a matter name longer than this is cut with "…" (the full name is in the box's title)

# (fill, border, text) by kind of state, and the legend's words.
WAITING, HANDLING, SUSPENDED, DONE, ENDED = "waiting", "handling", "suspended", "done", "ended"
PALETTE: Mapping[str, tuple[str, str, str]] = {
    WAITING: ("#eceff1", "#78909c", "#263238"),
    HANDLING: ("#d6ebf5", "#417690", "#0b3954"),
    SUSPENDED: ("#fff3cd", "#c77c02", "#5c3c00"),
    DONE: ("#dff0d8", "#3c763d", "#1e3d1e"),
    ENDED: ("#f8d7da", "#a94442", "#5a1a19"),
}
KIND_NAMES = {
    WAITING: "待前置",
    HANDLING: "办理中",
    SUSPENDED: "中止 / 待补正",
    DONE: "已办结",
    ENDED: "终止 / 未通过",
}


def kind_of(status: str) -> str:
    """Which colour a 流程状态 is drawn in."""
    if status == states.WAITING:
        return WAITING
    if status in (states.SUSPENDED, states.PENDING_CORRECTION):
        return SUSPENDED
    if status in (states.COMPLETED, states.ARCHIVED):
        return DONE
    if status in states.FINISHED:
        return ENDED
    return HANDLING


@dataclass(frozen=True)
class Node:
    key: str  # unique in the graph (the matter code)
    title: str  # the matter's name
    subtitle: str  # e.g. the 受理回执号
    status: str
    status_name: str
    href: str = ""


def depths(nodes: Sequence[Node], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Each node's column: 0 for a node waiting for nothing, else one more than its deepest prerequisite."""
    before: dict[str, list[str]] = {node.key: [] for node in nodes}
    for source, target in edges:
        if source in before and target in before:
            before[target].append(source)
    depth: dict[str, int] = {}
    for _round in range(len(nodes) + 1):  # longest paths by relaxation; a cycle stops after n rounds
        changed = False
        for node in nodes:
            value = max((depth.get(source, 0) + 1 for source in before[node.key]), default=0)
            if depth.get(node.key) != value:
                depth[node.key], changed = value, True
        if not changed:
            break
    return depth


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def dependency_svg(
    nodes: Sequence[Node], edges: Sequence[tuple[str, str]], *, title: str, description: str
) -> str:
    """The SVG of the cases (``nodes``) and their prerequisite edges (``(prerequisite, waiting case)``)."""
    depth = depths(nodes, edges)
    columns: dict[int, list[Node]] = {}
    for node in nodes:
        columns.setdefault(depth[node.key], []).append(node)
    width = MARGIN * 2 + max(len(columns), 1) * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP
    width = max(width, 560)
    tallest = max((len(column) for column in columns.values()), default=1)
    skipping = {
        (source, target)
        for source, target in edges
        if source in depth and target in depth and depth[target] - depth[source] > 1
    }
    top = LEGEND_HEIGHT + MARGIN + (ARC_ROOM if skipping else 0)
    height = top + MARGIN + tallest * (BOX_HEIGHT + ROW_GAP) - ROW_GAP
    place: dict[str, tuple[int, int]] = {}
    for column, members in columns.items():
        offset = (tallest - len(members)) * (BOX_HEIGHT + ROW_GAP) // 2
        for row, node in enumerate(members):
            x = MARGIN + column * (BOX_WIDTH + COLUMN_GAP)
            y = top + offset + row * (BOX_HEIGHT + ROW_GAP)
            place[node.key] = (x, y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="joint-graph" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="joint-graph-title joint-graph-desc">',
        f'<title id="joint-graph-title">{escape(title)}</title>',
        f'<desc id="joint-graph-desc">{escape(description)}</desc>',
        '<defs><marker id="joint-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    x = MARGIN
    for kind, name in KIND_NAMES.items():
        fill, border, _text = PALETTE[kind]
        parts.append(
            f'<rect x="{x}" y="8" width="14" height="14" rx="2" fill="{fill}" stroke="{border}"/>'
            f'<text x="{x + 20}" y="20" font-size="12" fill="#333">{escape(name)}</text>'
        )
        x += 30 + 13 * len(name)
    for source, target in edges:
        if source not in place or target not in place:
            continue
        (x1, y1), (x2, y2) = place[source], place[target]
        if (source, target) in skipping:  # over the top of the boxes between, into the target's top
            start, end = x1 + BOX_WIDTH * 2 // 3, x2 + BOX_WIDTH // 3
            parts.append(
                f'<path class="joint-edge joint-edge-over" d="M{start},{y1} C{start},{y1 - ARC_ROOM - ROW_GAP} '
                f'{end},{y2 - ARC_ROOM - ROW_GAP} {end},{y2}" '
                f'fill="none" stroke="#555" stroke-width="1.5" marker-end="url(#joint-arrow)"/>'
            )
            continue
        parts.append(
            f'<path class="joint-edge" d="M{x1 + BOX_WIDTH},{y1 + BOX_HEIGHT // 2} '
            f"C{x1 + BOX_WIDTH + COLUMN_GAP // 2},{y1 + BOX_HEIGHT // 2} "
            f'{x2 - COLUMN_GAP // 2},{y2 + BOX_HEIGHT // 2} {x2},{y2 + BOX_HEIGHT // 2}" '
            f'fill="none" stroke="#555" stroke-width="1.5" marker-end="url(#joint-arrow)"/>'
        )
    for node in nodes:
        x, y = place[node.key]
        kind = kind_of(node.status)
        fill, border, ink = PALETTE[kind]
        box = (
            f'<g class="joint-node joint-{kind}" data-matter="{escape(node.key)}" data-status="{escape(node.status)}">'
            f"<title>{escape(node.title)}（{escape(node.key)}）：{escape(node.status_name)}</title>"
            f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" fill="{fill}" '
            f'stroke="{border}" stroke-width="{3 if kind == SUSPENDED else 1.5}"/>'
            f'<text x="{x + 10}" y="{y + 20}" font-size="14" font-weight="bold" fill="{ink}">'
            f"{escape(_short(node.title))}</text>"
            f'<text x="{x + 10}" y="{y + 38}" font-size="11" fill="{ink}">{escape(node.subtitle)}</text>'
            f'<text x="{x + 10}" y="{y + 55}" font-size="12" fill="{ink}">{escape(node.status_name)}</text>'
            "</g>"
        )
        parts.append(f'<a href="{escape(node.href)}">{box}</a>' if node.href else box)
    parts.append("</svg>")
    return "".join(parts)
