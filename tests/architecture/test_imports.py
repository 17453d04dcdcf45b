"""The house rules of the package layout (docs/architecture.md), checked by
walking every module's imports with `ast` (function-level imports included,
so a cycle cannot hide inside a function)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "toolchain"
MAX_TOP_MODULES = 10


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Our modules `name` imports; `from pkg import mod` counts as importing pkg.mod when that is a module."""
    is_pkg = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.add(sub if sub in known else target)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports(path, name, known) for name, path in mods.items()}


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g[n]):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state and (c := visit(m)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_the_walker_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_nothing_outside_cli_imports_cli():
    offenders = {n: sorted(i for i in deps if i == "toolchain.cli" or i.startswith("toolchain.cli."))
                 for n, deps in graph().items()
                 if n != "toolchain.__main__" and not (n == "toolchain.cli" or n.startswith("toolchain.cli."))}
    assert {n: d for n, d in offenders.items() if d} == {}


@pytest.mark.parametrize("leaf", ["toolchain.errors", "toolchain.paths", "toolchain.manifest", "toolchain.bench_file",
                                  "toolchain.console", "toolchain.host_library"])
def test_leaves_import_nothing_of_ours_but_errors(leaf):
    assert graph()[leaf] <= {"toolchain", "toolchain.errors"}, f"{leaf} is a leaf"


def test_report_reads_bench_json_and_never_imports_bench():
    report = {n: deps for n, deps in graph().items() if n == "toolchain.report" or n.startswith("toolchain.report.")}
    assert {n: sorted(d for d in deps if d == "toolchain.bench" or d.startswith("toolchain.bench."))
            for n, deps in report.items()} == {n: [] for n in report}


def test_few_modules_directly_under_the_package():
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_MODULES, top


def test_every_folder_says_what_it_holds():
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc, f"{init.relative_to(PACKAGE.parent)} has no docstring saying what the folder holds"


def test_init_files_only_re_export():
    """Logic lives in modules named for what they hold; `__init__.py` says what the folder holds and re-exports."""
    def plain(node) -> bool:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return True
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return True  # the docstring
        return isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id in ("__all__", "__version__")
                                                    for t in node.targets)
    logic = {str(init.relative_to(PACKAGE.parent)): [type(n).__name__ for n in ast.parse(init.read_text()).body
                                                     if not plain(n)]
             for init in PACKAGE.rglob("__init__.py")}
    assert {f: kinds for f, kinds in logic.items() if kinds} == {}


def test_the_protocol_table_imports_only_facts():
    """Every step may read the protocol table (export sizes statistics with it, aot's headers come from it)."""
    assert graph()["toolchain.harness_protocol"] <= {"toolchain", "toolchain.modelinfo", "toolchain.paths"}
