"""Packaging and layering contracts a newcomer relies on."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO

SQL_CALLS = {"execute", "executemany", "sql"}  # DuckDB's ways to run a statement


def test_core_package_never_imports_prefect():
    package = REPO / "nightshift"
    modules = sorted(".".join(p.relative_to(package).with_suffix("").parts) for p in package.rglob("*.py")
                     if p.stem not in ("__init__", "__main__"))
    script = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module('nightshift.' + m)\n"
        "print('prefect' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO).stdout
    assert out.strip() == "False"


def test_wheel_ships_prompts_and_schemas_found_through_importlib_resources(tmp_path: Path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("nightshift-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped_schemas = {Path(n).name for n in names if n.startswith("nightshift/_data/schemas/")}
    shipped_prompts = {Path(n).name for n in names if n.startswith("nightshift/_data/prompts/")}
    assert shipped_schemas == {p.name for p in (REPO / "schemas").iterdir()}
    assert shipped_prompts == {p.name for p in (REPO / "prompts").iterdir()}
    assert "nightshift/store/migrations/001_initial.sql" in names
    # Installed from the wheel, the package finds its data inside itself.
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True, capture_output=True)
    probe = "from nightshift.resources import data_dir; print(data_dir('schemas'))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, cwd=tmp_path).stdout.strip()
    assert out == str(target / "nightshift" / "_data" / "schemas")


def _modules() -> dict[str, Path]:
    """Every module of the nightshift package by dotted name (a package by its own name)."""
    found = {}
    for path in (REPO / "nightshift").rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The nightshift modules ``name`` imports anywhere in its body (imports on use count too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
            source = ".".join(p for p in (base, node.module or "") if p)
            # `from nightshift.phase2 import retention` imports the module; `from x import Name`, module x
            found |= {f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names}
    return {m for m in found if m in modules and m != name}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a path that ends where it starts, or None."""
    on_path: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        on_path.append(node)
        for nxt in sorted(graph[node]):
            if nxt in on_path:
                return on_path[on_path.index(nxt):] + [nxt]
            if nxt not in done and (found := visit(nxt)):
                return found
        done.add(on_path.pop())
        return None

    return next((found for start in sorted(graph) if start not in done and (found := visit(start))), None)


def test_no_import_cycle_among_nightshift_modules():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)
    # The check sees imports made on use, as the store and the selection (then in phase2) once imported each other.
    assert "nightshift.store.usage" in graph["nightshift.cli"]
    graph["nightshift.store.state"].add("nightshift.phase2.retention")
    assert set(_cycle(graph) or []) == {"nightshift.phase2.retention", "nightshift.store.state"}


def test_no_module_outside_the_store_runs_sql():
    """Every SQL statement lives in nightshift/store/, each query a method named for what it answers."""
    calls = [(path, node) for path in sorted([*(REPO / "nightshift").rglob("*.py"), *(REPO / "flows").rglob("*.py")])
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS]
    store = REPO / "nightshift" / "store"
    outside = [f"{path.relative_to(REPO)}:{node.lineno}: .{node.func.attr}(...)" for path, node in calls if not path.is_relative_to(store)]
    assert not outside, "SQL outside nightshift/store:\n" + "\n".join(outside)
    assert {path.name for path, _ in calls} >= {"jobs.py", "usage.py", "runs.py"}  # the scan finds the statements where they are
