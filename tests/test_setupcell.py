"""Every chapter's setup cell: it installs rnnbook where it is missing (Colab, a notebook downloaded
alone) from the repository named in _config.yml, and does nothing, silently, where rnnbook is
installed (a clone, Binder, nbval, the book build). The downloaded-alone run is
tests/test_download.py."""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml

from conftest import ROOT, toc_notebooks
from rnnbook.site import setupcell


@pytest.fixture
def copies(tmp_path):
    """Copies of every chapter (the tool must never be tried on the originals in a test)."""
    paths = []
    for path in toc_notebooks():
        shutil.copy(path, tmp_path / path.name)
        paths.append(tmp_path / path.name)
    return paths


@pytest.fixture
def source():
    return setupcell.cell_source(*setupcell.repository(ROOT / "_config.yml"))


def test_requirement_comes_from_the_one_repository_setting(monkeypatch):
    monkeypatch.delenv("RNNBOOK_REPOSITORY", raising=False)
    monkeypatch.delenv("RNNBOOK_BRANCH", raising=False)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    url, branch = setupcell.repository(ROOT / "_config.yml")
    assert (url, branch) == (config["url"], config["branch"])
    assert f'RNNBOOK = "git+{url}.git@{branch}"' in setupcell.cell_source(url, branch)


def test_the_deploy_workflow_can_override_the_repository(monkeypatch):
    monkeypatch.setenv("RNNBOOK_REPOSITORY", "someone/rnn-book")
    monkeypatch.setenv("RNNBOOK_BRANCH", "gh-pages-test")
    assert setupcell.repository(ROOT / "_config.yml") == ("https://github.com/someone/rnn-book",
                                                          "gh-pages-test")
    monkeypatch.setenv("RNNBOOK_REPOSITORY", "not-a-repository")
    with pytest.raises(ValueError, match="RNNBOOK_REPOSITORY must be 'owner/name'"):
        setupcell.repository(ROOT / "_config.yml")


def test_cell_goes_before_the_first_code_cell_once_and_is_idempotent(copies, source):
    for path in copies:
        original = nbformat.read(path, as_version=4)
        others = [c for c in original.cells if "rnnbook-setup" not in c.metadata.get("tags", [])]
        first_code = next(k for k, c in enumerate(others) if c.cell_type == "code")
        setupcell.update_file(path, source)
        once = path.read_bytes()
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert setupcell.find(nb) == [first_code], path.name
        cell = nb.cells[first_code]
        assert cell.source == source and cell.outputs == []
        assert cell.metadata["tags"] == ["rnnbook-setup", "remove-cell", "nbval-ignore-output"]
        # everything else is untouched
        assert [c for k, c in enumerate(nb.cells) if k != first_code] == others
        # a second run changes nothing, byte for byte, and --check agrees
        assert setupcell.update_file(path, source) is False
        assert path.read_bytes() == once
        assert setupcell.main(["--check", str(path)]) == 0


def test_an_executed_current_cell_is_left_as_it_is(copies, source):
    """After `make execute` the cell has an execution count; that is not a reason to rewrite it."""
    path = copies[0]
    setupcell.update_file(path, source)
    nb = nbformat.read(path, as_version=4)
    nb.cells[setupcell.find(nb)[0]].execution_count = 1
    nbformat.write(nb, path)
    assert setupcell.update_file(path, source) is False
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[setupcell.find(nb)[0]].execution_count == 1


def test_a_stale_or_misplaced_cell_is_updated_in_place(copies, source):
    path = copies[0]
    setupcell.update_file(path, "print('an old setup cell')")
    nb = nbformat.read(path, as_version=4)
    k = setupcell.find(nb)[0]
    nb.cells.append(nb.cells.pop(k))  # moved to the end by hand
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", text="stale output\n")]
    nbformat.write(nb, path)
    assert setupcell.main(["--check", str(path)]) == 1
    assert setupcell.update_file(path, source) is True
    nb = nbformat.read(path, as_version=4)
    assert len(setupcell.find(nb)) == 1 and nb.cells[setupcell.find(nb)[0]].source == source
    assert setupcell.find(nb)[0] == next(k for k, c in enumerate(nb.cells) if c.cell_type == "code")


def test_two_setup_cells_are_refused(copies, source):
    path = copies[0]
    nb = nbformat.read(path, as_version=4)
    setupcell.apply(nb, source)
    twin = nbformat.v4.new_code_cell("pass", metadata={"tags": ["rnnbook-setup"]})
    nb.cells.append(twin)
    with pytest.raises(ValueError, match="has 2 cells tagged 'rnnbook-setup'"):
        setupcell.apply(nb, source)


def test_cell_is_silent_where_rnnbook_is_installed(tmp_path, source):
    """Locally, under nbval and in the book build the cell must print nothing (strict nbval)."""
    run = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60)
    assert run.returncode == 0 and run.stdout == "" and run.stderr == ""


def test_cell_installs_from_rnnbook_source_where_rnnbook_is_missing(tmp_path, source):
    """Without site-packages (-S) rnnbook cannot be found: the cell says where it installs from
    and runs pip on RNNBOOK_SOURCE (here a folder that does not exist, so pip fails at once)."""
    missing = tmp_path / "no-such-checkout"
    run = subprocess.run([sys.executable, "-S", "-c", source], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120,
                         env={"RNNBOOK_SOURCE": str(missing), "PATH": "/usr/bin:/bin"})
    assert run.stdout.startswith(f"Installing rnnbook from {missing}")
    assert run.returncode != 0 and "CalledProcessError" in run.stderr


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_every_chapter_has_the_current_setup_cell(path, source):
    """Run `make setup-cells` (then re-execute) after adding a chapter or changing the repository."""
    changed = setupcell.apply(nbformat.read(path, as_version=4), source)
    assert not changed, f"{path.name} has no current setup cell: run `make setup-cells` and commit"
