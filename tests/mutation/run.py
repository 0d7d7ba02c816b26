"""The on-demand mutation run: mutmut over the pure modules and the scope code, and the kill rate per module.

    .venv/bin/python tests/mutation/run.py                     # every module of [tool.mutmut] source_paths
    .venv/bin/python tests/mutation/run.py permissions/scope.py routing/decisions.py   # some of them
    .venv/bin/python tests/mutation/run.py --committed         # HEAD's files, not the working tree's
    .venv/bin/python tests/mutation/run.py --report            # the figures of the last run again

mutmut comes with the test extras (``python3 -m config_center.bootstrap test`` installs them). The run never
touches the working tree: it copies the files git knows (tracked, and untracked but not ignored; with
``--committed`` those of HEAD) to ``var/mutation/tree/`` and runs ``mutmut run <module>.* …`` there once for
the modules named. mutmut mutates one function at a time behind a trampoline and runs only the tests of the
selection that call that function, two mutants at a time. The pure modules are tried against the unit tests
(``[tool.mutmut] pytest_add_cli_args_test_selection``: a few minutes for all of them); the modules of
``database_paths`` in a second copy, ``var/mutation/tree-db/``, against ``database_test_selection`` (each mutant
with a test database of its own: ``tests/mutation/isolation.py``; about half an hour). mutmut's output goes
to ``var/mutation/mutmut-<unit|database>.log``; ``--report`` prints the figures so far while it runs (each
mutant's result is kept as soon as it is known).

Afterwards, in ``var/mutation/tree/`` (or ``tree-db/``): ``../../../.venv/bin/mutmut results`` lists the survivors,
``../../../.venv/bin/mutmut show <name>`` shows one as a diff. Each survivor is either killed by a new test
or explained in ``tests/mutation/SURVIVORS.md``.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "var" / "mutation"
TREES = {"unit": WORK / "tree", "database": WORK / "tree-db"}  # a copy per test selection

KILLED = {"killed", "timeout", "caught by type check"}
NOT_RUN = {"skipped", "not checked", "check was interrupted by user"}


def mutmut_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]


def group_of(path: str) -> str:
    """Which copy (and so which tests) a module is tried in: the database's, or the unit tests'."""
    return "database" if path in mutmut_config().get("database_paths", []) else "unit"


def module_of(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def mutmut_command() -> Path:
    for candidate in (Path(sys.executable).parent / "mutmut", ROOT / ".venv" / "bin" / "mutmut"):
        if candidate.exists():
            return candidate
    sys.exit("mutmut is not installed: python3 -m config_center.bootstrap test installs the test extras.")


def copy_tree(tree: Path, *, committed: bool) -> None:
    """A fresh copy of the project in ``tree``: the working tree's files git knows, or HEAD's."""
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    if committed:
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        return
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            target = tree / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def use_database_tests(tree: Path) -> None:
    """Point the copy's mutmut at ``database_test_selection`` (mutmut itself knows one selection only)."""
    pyproject = tree / "pyproject.toml"
    selection = json.dumps(mutmut_config()["database_test_selection"], ensure_ascii=False)
    text, count = re.subn(
        r"^pytest_add_cli_args_test_selection = \[.*?\]",
        f"pytest_add_cli_args_test_selection = {selection}",
        pyproject.read_text(encoding="utf-8"),
        count=1,
        flags=re.MULTILINE | re.DOTALL,
    )
    assert count == 1, "pytest_add_cli_args_test_selection not found in [tool.mutmut]"
    pyproject.write_text(text, encoding="utf-8")


def run_mutmut(mutmut: Path, group: str, paths: list[str], max_children: int | None) -> int:
    """One mutmut run over the modules' mutants: the tests are measured once, then each mutant is tried."""
    command = [str(mutmut), "run", *(f"{module_of(path)}.*" for path in paths)]
    if max_children:
        command[2:2] = ["--max-children", str(max_children)]
    log = WORK / f"mutmut-{group}.log"
    print(
        f"→ {group} tests, {len(paths)} module(s); log: {log.relative_to(ROOT)}; so far: --report", flush=True
    )
    with log.open("w") as output:
        return subprocess.run(command, cwd=TREES[group], stdout=output, stderr=subprocess.STDOUT).returncode


def statuses(path: str) -> Counter | None:
    """{status: count} of the module's mutants after a run (None: not run)."""
    from mutmut.stats import status_by_exit_code

    meta = TREES[group_of(path)] / "mutants" / f"{path}.meta"
    if not meta.exists():
        return None
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return Counter(status_by_exit_code[code] for code in codes.values())


COLUMNS = (
    f"{'module':42} {'mutants':>7} {'killed':>7} {'timeout':>7} {'survived':>8} {'no tests':>8} {'rate':>6}"
)


def report(paths: list[str]) -> float | None:
    """Print the kill rate per module and over all of them; return the overall rate (None: nothing run).

    The rate is (killed + timeout) / mutants checked: a timeout is a mutant whose tests ran past (their
    measured time + timeout_constant) × timeout_multiplier, an endless loop in practice. "no tests": no
    test of the selection calls the mutated function, so the mutant survives."""
    print(COLUMNS)
    print("-" * len(COLUMNS))
    total: Counter = Counter()
    for path in paths:
        found = statuses(path)
        if found is None:
            print(f"{module_of(path):42} {'(not run)':>7}")
            continue
        total.update(found)
        print(_line(module_of(path), found))
    if not total:
        return None
    print("-" * len(COLUMNS))
    print(_line("total", total))
    return _rate(total)


def _rate(found: Counter) -> float:
    judged = sum(count for status, count in found.items() if status not in NOT_RUN)
    killed = sum(count for status, count in found.items() if status in KILLED)
    return killed / judged if judged else 1.0


def _line(name: str, found: Counter) -> str:
    shown = {"killed", "timeout", "survived", "no tests"}
    others = {status: count for status, count in found.items() if status not in shown}
    line = (
        f"{name:42} {sum(found.values()):>7} {found['killed']:>7} {found['timeout']:>7} {found['survived']:>8} "
        f"{found['no tests']:>8} {_rate(found):>6.1%}"
    )
    return line + (f"   also: {others}" if others else "")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", help="modules of [tool.mutmut] source_paths (default: all)")
    parser.add_argument(
        "--committed", action="store_true", help="mutate HEAD's files, not the working tree's"
    )
    parser.add_argument("--keep", action="store_true", help="reuse var/mutation/tree (no fresh copy)")
    parser.add_argument("--report", action="store_true", help="only print the figures of the last run")
    parser.add_argument(
        "--max-children", type=int, help="mutants run at once (mutmut's default: one per CPU)"
    )
    args = parser.parse_args(argv)

    known = mutmut_config()["source_paths"]
    unknown = [path for path in args.paths if path not in known]
    if unknown:
        parser.error(f"not in [tool.mutmut] source_paths: {', '.join(unknown)}")
    paths = args.paths or known
    if not args.report:
        mutmut = mutmut_command()
        WORK.mkdir(parents=True, exist_ok=True)
        for group in ("unit", "database"):  # the quick one first
            chosen = [path for path in paths if group_of(path) == group]
            if not chosen:
                continue
            tree = TREES[group]
            if not (args.keep and tree.exists()):
                copy_tree(tree, committed=args.committed)
                if group == "database":
                    use_database_tests(tree)
            if run_mutmut(mutmut, group, chosen, args.max_children) != 0:
                print("  mutmut stopped with an error: see its log", flush=True)
    rate = report(paths)
    return 0 if rate is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
