"""Pure rules over the agency tree (no ORM): ancestors and the 共同上级 of two agencies.

003 三(五): an agency that receives a transferred case and finds it is not competent either must not
transfer it again, but ask the common superior agency for guidance. The tree is given as a plain
``{code: parent_code or None}`` mapping so the engine can use it from a snapshot.
"""

from collections.abc import Mapping


class AgencyTreeError(ValueError):
    """The mapping is not a tree (unknown code or a cycle)."""


def ancestors(code: str, parent_of: Mapping[str, str | None]) -> list[str]:
    """The chain from ``code`` up to the root, ``code`` first."""
    if code not in parent_of:
        raise AgencyTreeError(f"unknown agency {code!r}")
    chain = [code]
    seen = {code}
    parent = parent_of[code]
    while parent is not None:
        if parent in seen:
            raise AgencyTreeError(f"cycle in agency tree at {parent!r}")
        if parent not in parent_of:
            raise AgencyTreeError(f"unknown parent agency {parent!r}")
        chain.append(parent)
        seen.add(parent)
        parent = parent_of[parent]
    return chain


def common_superior(first: str, second: str, parent_of: Mapping[str, str | None]) -> str | None:
    """The nearest agency above both (strictly above each, unless one is the other's superior).

    Two sibling city agencies → their provincial parent; a city agency and the provincial agency →
    the provincial agency; agencies in separate trees → ``None``.
    """
    first_chain = ancestors(first, parent_of)
    second_chain = set(ancestors(second, parent_of))
    if first == second:
        parent = parent_of[first]
        return parent
    for candidate in first_chain:
        if candidate in second_chain:
            return candidate
    return None


# The kind of agency each kind may sit under (经办服务网点: under a city's or a county's agency).
PARENT_KINDS = {
    "provincial": (),
    "municipal": ("provincial",),
    "county": ("municipal",),
    "service_point": ("municipal", "county"),
}


def parent_kind_problem(kind: str, parent_kind: str | None) -> str | None:
    """Why an agency of ``kind`` cannot sit under one of ``parent_kind`` (None: no parent); None when it can."""
    allowed = PARENT_KINDS.get(kind)
    if allowed is None:
        return None  # an unknown kind is the field's own error
    if not allowed:
        return "省级经办机构没有上级机构" if parent_kind is not None else None
    if parent_kind is None:
        return "须填写上级机构"
    if parent_kind not in allowed:
        return (
            "上级机构的类型不符（市级机构在省级机构之下，区县机构在市级机构之下，网点在市级或区县机构之下）"
        )
    return None
