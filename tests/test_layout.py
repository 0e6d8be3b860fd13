"""Packaging and layering contracts a newcomer relies on."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


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
