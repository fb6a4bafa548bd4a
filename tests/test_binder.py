"""Binder's environment (binder/): what mybinder.org builds a chapter's session from. mybinder.org
cannot be reached from the test machines, so this checks what can be checked here: the files parse,
every pin equals requirements.txt's, torch is the CPU build from PyTorch's index, and every package
a chapter imports is there."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

import nbformat
import pytest

from conftest import ROOT, toc_notebooks

BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def pins(path) -> dict[str, str]:
    """``{normalised name: version}`` of every ``name==version`` line; other lines are options."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)", line)
        assert match, f"{path.name}: {line!r} is not an exact pin"
        found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


def options(path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip().startswith("-")]


def test_binder_pins_are_requirements_pins():
    binder, root = pins(BINDER / "requirements.txt"), pins(ROOT / "requirements.txt")
    for name, version in binder.items():
        assert name in root, f"binder pins {name}, which requirements.txt does not"
        assert version.split("+")[0] == root[name], (
            f"binder pins {name}=={version}, requirements.txt {name}=={root[name]}")


def test_torch_is_the_cpu_build_from_pytorchs_index():
    binder = pins(BINDER / "requirements.txt")
    assert binder["torch"] == pins(ROOT / "requirements.txt")["torch"] + "+cpu"
    assert f"--extra-index-url {CPU_INDEX}" in options(BINDER / "requirements.txt")
    assert "-e ." not in options(BINDER / "requirements.txt")  # postBuild installs rnnbook


def test_python_version_and_post_build():
    """Binder runs the Python the book is tested with (Makefile: Python 3.11)."""
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == f"python-3.{sys.version_info.minor}" == "python-3.11"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"
    post_build = (BINDER / "postBuild").read_text()
    assert post_build.startswith("#!/bin/bash") and "set -euo pipefail" in post_build
    assert "pip install --no-deps --no-cache-dir ." in post_build
    assert (BINDER / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def _third_party_imports(nb) -> set[str]:
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(source)
        except SyntaxError:  # a cell meant to fail
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "rnnbook"}


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_binder_has_everything_a_chapter_imports(path):
    distributions = importlib.metadata.packages_distributions()
    binder = pins(BINDER / "requirements.txt")
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    needed = {"ipykernel", "ipywidgets"} | {re.split(r"[<>=!~ ]", d)[0].lower() for d in dependencies}
    for module in _third_party_imports(nbformat.read(path, as_version=4)):
        dists = distributions.get(module)
        assert dists, f"{path.name} imports {module}, which no installed package provides"
        needed.add(re.sub(r"[-_.]+", "-", dists[0]).lower())
    missing = sorted(n for n in needed if n not in binder)
    assert not missing, f"binder/requirements.txt lacks {missing}, which {path.name} needs"
