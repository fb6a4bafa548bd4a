"""The setup cell that lets a chapter run anywhere: Colab, Binder, or a notebook downloaded alone.

A chapter imports ``rnnbook``. In a clone of the repository (``make install``), on Binder (whose
image installs the repository, see ``binder/``), under nbval and in the book build it is already
installed, and the setup cell does nothing and prints nothing. Where it is missing -- a notebook
opened in Colab, or downloaded from the book and run in any Python environment -- the cell
installs it with pip from the book's repository, whose address it takes from ``_config.yml``
(``repository.url`` and ``.branch``; the only place it is written). The environment variable
``RNNBOOK_SOURCE`` replaces that address (any pip requirement: a path to a checkout, a wheel, a
fork's ``git+https://...``); the test of the downloaded-alone case points it at a local copy.

The cell comes right before the chapter's first code cell and is tagged ``remove-cell`` (the
HTML book does not show it; the downloadable notebook has it), ``nbval-ignore-output`` (in a fresh
environment it reports the install) and ``rnnbook-setup`` (how this tool finds it again).

Usage, idempotent (a notebook whose cell is current is not rewritten)::

    python -m rnnbook.site.setupcell notebooks/*.ipynb            # insert or update
    python -m rnnbook.site.setupcell --check notebooks/*.ipynb    # exit 1 if any is not current
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
TAG = "rnnbook-setup"
TAGS = [TAG, "remove-cell", "nbval-ignore-output"]
CELL_ID = "rnnbook-setup"
ENV_SOURCE = "RNNBOOK_SOURCE"

TEMPLATE = '''\
# Setup for Colab, Binder, or this notebook on its own: the book's package rnnbook.
# Where rnnbook is installed (a clone of the book's repository, Binder): nothing.
import importlib.util
import os
import subprocess
import sys

RNNBOOK = "{requirement}"
if importlib.util.find_spec("rnnbook") is None:
    source = os.environ.get("{env}", RNNBOOK)
    print("Installing rnnbook from", source)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", source]
    subprocess.run(pip, check=True)
    importlib.invalidate_caches()'''


def repository(config_path: pathlib.Path | None = None) -> tuple[str, str]:
    """(URL, branch) of the book's repository: ``RNNBOOK_REPOSITORY``/``RNNBOOK_BRANCH`` if set
    (the deploy workflow), else ``_config.yml``."""
    from .sphinxext import repository_override

    config = yaml.safe_load((config_path or ROOT / "_config.yml").read_text(encoding="utf-8"))
    section = config.get("repository") or {}
    url, branch = section.get("url"), section.get("branch") or "main"
    env_url, env_branch = repository_override()
    url, branch = env_url or url, env_branch or branch
    if not url or not re.match(r"https://[^/\s]+/[^/\s]+/[^/\s]+$", url.rstrip("/")):
        raise ValueError(
            f"_config.yml needs repository.url of the form https://github.com/owner/name; got {url!r}."
        )
    return url.rstrip("/").removesuffix(".git"), str(branch)


def requirement(url: str, branch: str) -> str:
    """The pip requirement that installs rnnbook from the repository."""
    return f"git+{url}.git@{branch}"


def cell_source(url: str, branch: str) -> str:
    return TEMPLATE.format(env=ENV_SOURCE, requirement=requirement(url, branch))


def find(nb) -> list[int]:
    """Indices of the cells tagged ``rnnbook-setup``."""
    return [k for k, cell in enumerate(nb.cells) if TAG in cell.get("metadata", {}).get("tags", [])]


def apply(nb, source: str) -> bool:
    """Insert or update the setup cell in ``nb`` (in place), right before the first other code
    cell; return whether anything changed."""
    found = find(nb)
    if len(found) > 1:
        raise ValueError(f"the notebook has {len(found)} cells tagged {TAG!r}; it should have one.")
    old = nb.cells.pop(found[0]) if found else None
    code = [k for k, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    if not code:
        raise ValueError("the notebook has no code cell, so it needs no setup cell.")
    tags = TAGS + [t for t in (old.metadata.get("tags", []) if old else []) if t not in TAGS]
    if old is not None and old.source == source and old.metadata.get("tags") == tags:
        nb.cells.insert(code[0], old)  # current: kept as it is, outputs and execution count too
        return found[0] != code[0]
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags})
    cell.id = old.id if old is not None else CELL_ID
    nb.cells.insert(code[0], cell)
    return True


def update_file(path: pathlib.Path, source: str, check: bool = False) -> bool:
    """Apply the setup cell to the notebook at ``path``; return whether it changed (or, with
    ``check``, would change). The file is written only when it changes."""
    nb = nbformat.read(path, as_version=4)
    changed = apply(nb, source)
    if changed and not check:
        nbformat.validate(nb)
        nbformat.write(nb, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Insert or update every chapter's setup cell.")
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook's setup cell is missing or stale")
    parser.add_argument("--config", type=pathlib.Path, default=ROOT / "_config.yml")
    args = parser.parse_args(argv)
    url, branch = repository(args.config)
    source = cell_source(url, branch)
    stale = []
    for path in args.notebooks:
        if update_file(path, source, check=args.check):
            stale.append(path)
            print(f"{path}: {'setup cell missing or stale' if args.check else 'setup cell written'}")
    if args.check and stale:
        print(f"{len(stale)} notebook(s) need `python -m rnnbook.site.setupcell` "
              f"(rnnbook from {requirement(url, branch)})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
