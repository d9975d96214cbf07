"""The import graph, from the AST of every module (function-level imports included).

DESIGN.md: core imports nothing of the package outside core but the message catalogue
(``texts``), and neither modules nor packages (core, io, excel, ..., texts) import in a cycle.

The adapters only say how to get tables and where to put cells; the use cases that join them
to the analysis are ``actions``:

- ``io`` (files) imports none of ``actions``, ``demo``, ``template``, ``excel``, ``cli``,
  ``doctor``, ``pc``;
- ``excel`` (the xlwings face) imports nothing of ``io``: a live workbook hands its tables to
  ``actions.inputs_from_frames`` as the file reader does, without going through the file
  reader;
- within ``excel`` only the ribbon's entry points (``excel.macros``) call the use cases; the
  cell adapter ``excel.live`` and the worksheet functions ``excel.udfs`` do not import
  ``actions``.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kundenwert_xl"
NAME = "kundenwert_xl"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(module: str, node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return module
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, module] if module else base)


def _known(name: str) -> str | None:
    """The package module ``name`` denotes: itself, or the module that defines it."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(name: str) -> set[str]:
    """The package modules ``name`` imports, at module level or inside functions."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module or "", node, package)
            # "from kundenwert_xl.core import schema" imports the module core.schema;
            # "from kundenwert_xl.core.schema import X" the module that defines X.
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.append(sub if sub in MODULES else base)
        for target in targets:
            if target == NAME or target.startswith(NAME + "."):
                module = _known(target)
                if module is not None and module != name:
                    found.add(module)
    # Importing a.b.c also runs the __init__ of a and a.b; those parent runs are not counted
    # as edges (every module would then depend on the top-level API), but naming a package
    # itself ("from kundenwert_xl import Settings") is.
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_core_imports_only_core_and_the_catalogue():
    allowed = {f"{NAME}.texts", f"{NAME}.core"}
    bad = {
        (name, target)
        for name, targets in GRAPH.items()
        if name.startswith(f"{NAME}.core")
        for target in targets
        if not (target in allowed or target.startswith(f"{NAME}.core."))
    }
    assert bad == set()


def _package_of(module: str) -> str:
    """``kundenwert_xl.core.rfm`` -> ``kundenwert_xl.core``; top-level modules stand alone."""
    return ".".join(module.split(".")[:2])


def test_no_import_cycles_between_modules():
    assert _cycles(GRAPH) == []


def test_no_import_cycles_between_packages():
    # core, io, excel, template, pc and each top-level module (texts, report, actions ...).
    packages: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        edges = packages.setdefault(_package_of(name), set())
        edges |= {_package_of(t) for t in targets} - {_package_of(name)}
    assert _cycles(packages) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_cycle_finder_by_hand(graph, expected):
    assert _cycles(graph) == expected


def test_the_graph_sees_function_level_and_relative_imports():
    """Guards the test itself: known edges of the package must be found."""
    # errors.Problem imports texts inside a method; analysis imports core modules by name.
    assert f"{NAME}.texts" in GRAPH[f"{NAME}.core.errors"]
    assert f"{NAME}.core.schema" in GRAPH[f"{NAME}.core.analysis"]
    assert f"{NAME}.core.settings" in GRAPH[f"{NAME}.core.rfm"]


def _calls_of_texts_formatters(path: Path) -> list[str]:
    """``texts.format_*`` / ``texts.count`` calls in one module (German number text made)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "texts"
            and (node.attr.startswith("format_") or node.attr == "count")
        ):
            found.append(f"{path.name}:{node.lineno} texts.{node.attr}")
    return found


def test_core_hands_raw_values_to_the_catalogue():
    """Core writes no German number or date text: problem params are raw values.

    The catalogue renders them (``texts.message`` by placeholder form). The one exception is
    ``core.german``, the settings' own German number text (what a controller types and sees
    printed back in the Einstellungen table), which is not problem text.
    """
    found = [
        hit
        for name, path in MODULES.items()
        if name.startswith(f"{NAME}.core") and name != f"{NAME}.core.german"
        for hit in _calls_of_texts_formatters(path)
    ]
    assert found == []
    # Guards the test itself: it sees the calls where they are allowed.
    assert _calls_of_texts_formatters(MODULES[f"{NAME}.core.german"]) != []


def _imports_between(prefix: str, forbidden: tuple[str, ...]) -> set[tuple[str, str]]:
    return {
        (name, target)
        for name, targets in GRAPH.items()
        if name == prefix or name.startswith(prefix + ".")
        for target in targets
        if any(target == f or target.startswith(f + ".") for f in forbidden)
    }


def test_io_imports_no_use_case_and_no_face():
    forbidden = tuple(
        f"{NAME}.{m}" for m in ("actions", "demo", "template", "excel", "cli", "doctor", "pc")
    )
    assert _imports_between(f"{NAME}.io", forbidden) == set()


def test_excel_imports_nothing_of_io():
    assert _imports_between(f"{NAME}.excel", (f"{NAME}.io",)) == set()


def test_only_the_ribbon_macros_of_excel_call_the_use_cases():
    users = {name for name, _ in _imports_between(f"{NAME}.excel", (f"{NAME}.actions",))}
    assert users == {f"{NAME}.excel.macros"}


def test_the_layer_rules_see_real_edges():
    """Guards the rules above: the allowed edges they must not flag are found."""
    assert f"{NAME}.io.patch" in GRAPH[f"{NAME}.io.workbook"]
    assert f"{NAME}.io.readers" in GRAPH[f"{NAME}.actions"]
    assert f"{NAME}.excel.live" in GRAPH[f"{NAME}.excel.macros"]
    assert _imports_between(f"{NAME}.actions", (f"{NAME}.io",)) != set()
