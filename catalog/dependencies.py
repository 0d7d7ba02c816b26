"""Pure rules over the joint-handling relations of matters (前置事项 / 冲突事项), given as plain mappings
{matter code: set of codes}: what an administrator may not write."""

from collections.abc import Iterable, Mapping


def dependency_problems(
    prerequisites: Mapping[str, Iterable[str]], conflicts: Mapping[str, Iterable[str]]
) -> list[str]:
    """Each problem as a sentence: a matter that is its own prerequisite or conflict, a pair that is both
    prerequisite and conflict (either way round: conflicts hold both ways), and each prerequisite cycle."""
    problems = []
    pre = {code: set(codes) for code, codes in prerequisites.items()}
    con = {code: set(codes) for code, codes in conflicts.items()}
    for code in sorted(set(pre) | set(con)):
        if code in pre.get(code, ()):
            problems.append(f"{code} 不能是自己的前置事项")
        if code in con.get(code, ()):
            problems.append(f"{code} 不能与自己冲突")
        for other in sorted(pre.get(code, ())):
            if other != code and (other in con.get(code, ()) or code in con.get(other, ())):
                problems.append(f"{code} 与 {other} 不能既是前置事项又是冲突事项")
    problems.extend(f"前置事项形成循环：{' → '.join(cycle)}" for cycle in prerequisite_cycles(pre))
    return problems


def prerequisite_cycles(prerequisites: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each cycle of the prerequisite graph once (longer than one matter), as codes with the first repeated
    at the end: ``A → B → A``."""
    graph = {code: sorted(set(codes) - {code}) for code, codes in prerequisites.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []
    seen_cycles: set[frozenset] = set()
    for start in sorted(graph):
        if state.get(start):
            continue
        path: list[str] = []
        stack = [(start, iter(graph.get(start, ())))]
        state[start] = 1
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if state.get(child) == 1:
                cycle = path[path.index(child) :]
                if frozenset(cycle) not in seen_cycles:
                    seen_cycles.add(frozenset(cycle))
                    cycles.append([*cycle, child])
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph.get(child, ()))))
    return cycles
