"""A chapter downloaded on its own runs: one notebook in an empty folder, a fresh virtual
environment with only the pinned requirements (requirements.txt without its `-e .` line), and
nothing else. The chapter's setup cell installs rnnbook; the repository it would install from in
Colab (a git URL) is replaced by RNNBOOK_SOURCE, pointing at a copy of the files git would hand
out (tracked, or new and not ignored), so no network is needed and only what the repository holds
is used. nbval then runs the chapter top to bottom and compares every output with the stored one.

Slow (a fresh venv takes a few minutes to install): `make test` runs it; choose the chapter with
RNNBOOK_DOWNLOAD_CHAPTER=04_lstm (default: the first chapter).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT, toc_notebooks
from rnnbook.site import setupcell

pytestmark = pytest.mark.slow


def chapter() -> pathlib.Path:
    wanted = os.environ.get("RNNBOOK_DOWNLOAD_CHAPTER", "").strip()
    chapters = toc_notebooks()
    return next((p for p in chapters if wanted and wanted in p.name), chapters[0])


def repository_copy(target: pathlib.Path) -> pathlib.Path:
    """The files a `pip install git+URL` would get: tracked, or new and not ignored."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH", "PYTHONHOME")}
    env.update(extra)
    return env


def test_a_chapter_downloaded_alone_runs_in_a_fresh_venv(tmp_path):
    path = chapter()
    repository = repository_copy(tmp_path / "repository")

    # A fresh venv with the pinned requirements only.
    pinned = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
              if not line.strip().startswith("-e")]
    (tmp_path / "requirements-pinned.txt").write_text("\n".join(pinned) + "\n")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r",
                              str(tmp_path / "requirements-pinned.txt")],
                             capture_output=True, text=True, timeout=1800, env=clean_env())
    assert install.returncode == 0, install.stderr[-3000:]
    probe = subprocess.run([str(python), "-c", "import importlib.util as u; print(u.find_spec('rnnbook'))"],
                           capture_output=True, text=True, env=clean_env(), cwd=tmp_path)
    assert probe.stdout.strip() == "None", "the fresh venv must not have rnnbook yet"

    # The chapter alone in an empty folder (with the setup cell the repository's tool writes;
    # tests/test_setupcell.py checks that every committed chapter has it).
    alone = tmp_path / "alone"
    alone.mkdir()
    nb = nbformat.read(path, as_version=4)
    setupcell.apply(nb, setupcell.cell_source(*setupcell.repository(ROOT / "_config.yml")))
    nbformat.write(nb, alone / path.name)
    shutil.copy(ROOT / "tests" / "nbval_sanitize.cfg", tmp_path / "sanitize.cfg")

    run = subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         f"--nbval-sanitize-with={tmp_path / 'sanitize.cfg'}", "--nbval-cell-timeout=900",
         "-q", path.name],
        cwd=alone, capture_output=True, text=True, timeout=1800,
        env=clean_env(RNNBOOK_SOURCE=str(repository)))
    assert run.returncode == 0, f"{path.name} failed on its own:\n{run.stdout[-6000:]}{run.stderr[-2000:]}"
    assert sorted(p.name for p in alone.iterdir() if p.name != ".ipynb_checkpoints") == [path.name], \
        "the chapter must not need (or leave) other files next to it"

    # rnnbook was installed by the setup cell, from the copy, as a regular (not editable) package,
    # with every file the package folder holds (data files included).
    where = subprocess.run(
        [str(python), "-c", "import json, rnnbook, importlib.metadata as m;"
         "d = m.distribution('rnnbook');"
         "print(json.dumps([rnnbook.__file__, d.read_text('direct_url.json')]))"],
        capture_output=True, text=True, env=clean_env(), cwd=tmp_path, check=True)
    package_file, direct_url = json.loads(where.stdout)
    installed = pathlib.Path(package_file).parent
    assert installed.is_relative_to(venv), installed
    assert json.loads(direct_url)["url"] == repository.as_uri()
    shipped = {p.relative_to(repository / "rnnbook") for p in (repository / "rnnbook").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    present = {p.relative_to(installed) for p in installed.rglob("*") if p.is_file()}
    assert shipped <= present, f"files of rnnbook/ missing from the installed package: {shipped - present}"
