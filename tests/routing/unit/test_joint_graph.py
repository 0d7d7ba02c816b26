"""The dependency picture of a joint application (routing.joint.graph, pure): columns by depth, one arrow per
prerequisite edge, boxes coloured by state, everything escaped, a well-formed SVG."""

import xml.etree.ElementTree as ET

from routing import states
from routing.joint import graph
from routing.joint.graph import Node

SVG = "{http://www.w3.org/2000/svg}"
NODES = [
    Node("GS0301", "工伤认定申请", "2412011030150001", "completed", "已办结", "/admin/routing/cases/1/"),
    Node("GS0302", "劳动能力鉴定申请", "2412011030150002", "suspended", "中止"),
    Node("GS0106", "伤残待遇核定", "2412011030150003", "waiting", "待前置"),
]
EDGES = [("GS0301", "GS0302"), ("GS0301", "GS0106"), ("GS0302", "GS0106")]


def _draw(nodes=NODES, edges=EDGES):
    return graph.dependency_svg(nodes, edges, title="依赖关系", description="三个事项")


def test_each_case_stands_right_of_every_case_it_waits_for():
    assert graph.depths(NODES, EDGES) == {"GS0301": 0, "GS0302": 1, "GS0106": 2}


def test_the_picture_is_well_formed_with_a_box_per_case_and_an_arrow_per_edge():
    root = ET.fromstring(_draw())
    assert root.tag == SVG + "svg"
    boxes = root.findall(f".//{SVG}g[@class]")
    assert [(g.get("data-matter"), g.get("data-status")) for g in boxes] == [
        ("GS0301", "completed"),
        ("GS0302", "suspended"),
        ("GS0106", "waiting"),
    ]
    assert len([p for p in root.iter(f"{SVG}path") if "joint-edge" in (p.get("class") or "")]) == 3
    assert root.find(f"{SVG}title").text == "依赖关系"
    # Only the case given a link is a link.
    assert [a.get("href") for a in root.findall(f"{SVG}a")] == ["/admin/routing/cases/1/"]


def test_boxes_are_coloured_by_the_kind_of_state():
    svg = _draw()
    for kind in ("done", "suspended", "waiting"):
        assert f"joint-node joint-{kind}" in svg
        assert graph.PALETTE[kind][0] in svg
    assert graph.kind_of(states.SCANNED) == "handling"
    assert graph.kind_of(states.TERMINATED) == "ended"
    assert graph.kind_of(states.REVIEW_FAILED) == "ended"
    assert graph.kind_of(states.ARCHIVED) == "done"
    assert graph.kind_of(states.PENDING_CORRECTION) == "suspended"
    assert {graph.kind_of(status) for status in states.STATUS_NAMES} == set(graph.PALETTE)


def test_text_is_escaped_and_long_names_are_cut_but_kept_in_the_title():
    nodes = [Node("X", "<script>alert(1)</script>很长很长很长的事项名称", "&", "scanned", "已扫描")]
    svg = _draw(nodes, [])
    assert "<script>" not in svg
    ET.fromstring(svg)
    assert "…" in svg and "很长很长很长的事项名称" in svg  # the full name in the box's <title>


def test_a_single_case_or_an_edge_to_an_unknown_case_still_draws():
    ET.fromstring(_draw(NODES[:1], [("GS0301", "NOPE")]))


def test_columns_grow_with_depth_and_rows_with_siblings():
    wide = ET.fromstring(_draw())
    flat = ET.fromstring(
        _draw(
            [*NODES[:1], Node("A", "甲", "", "waiting", "待前置"), Node("B", "乙", "", "waiting", "待前置")],
            [("GS0301", "A"), ("GS0301", "B")],
        )
    )
    assert int(wide.get("width")) > int(flat.get("width"))
    assert int(flat.get("height")) > int(wide.get("height"))


def test_an_edge_skipping_a_column_arcs_over_the_boxes_between():
    root = ET.fromstring(_draw())
    over = root.findall(f".//{SVG}path[@class='joint-edge joint-edge-over']")
    assert len(over) == 1  # GS0301 → GS0106 passes GS0302's column
    # It leaves the top of the first box and ends on the top of the last.
    start_y = float(over[0].get("d").split(",")[1].split(" ")[0])
    boxes = {g.get("data-matter"): g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g")}
    assert start_y == float(boxes["GS0301"].get("y"))
    assert over[0].get("d").endswith(boxes["GS0106"].get("y"))
