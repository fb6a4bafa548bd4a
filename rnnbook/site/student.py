"""The student edition: chapters without the solutions of the exercises or the answers.

What counts as a solution (the book's conventions, see the style guide):

* a sphinx-exercise ``{solution}`` directive, in a backtick or colon fence of any length;
* a gated solution, from ``{solution-start}`` to ``{solution-end}``, with every cell between them;
* an ``{admonition}`` or ``{dropdown}`` whose title is "Answer" or "Answers" (the folded answers of
  "Check your understanding").

In the HTML book, ``RNNBOOK_EDITION=student`` makes sphinx-exercise drop the solutions and
:mod:`rnnbook.site.sphinxext` drop the answers; this module strips the same blocks from the
notebooks that the pages offer for download. It also writes student notebooks for a course::

    python -m rnnbook.site.student --out student/ notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

import nbformat

_OPEN = re.compile(r"^\s*(?P<fence>`{3,}|~{3,}|:{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>.*?)\s*$")
ANSWER_TITLES = {"answer", "answers"}


def is_answer_title(title: str) -> bool:
    return title.strip().rstrip(".:").lower() in ANSWER_TITLES


def _is_removed(name: str, arg: str) -> bool:
    return name == "solution" or (name in ("admonition", "dropdown") and is_answer_title(arg))


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (len(stripped) >= len(fence) and set(stripped) == {fence[0]})


class _Stripper:
    """Removes solution blocks from a sequence of markdown texts (cells) that share one state:
    a gated solution opened in one cell ends in a later one."""

    def __init__(self):
        self.in_gated = False
        self.removed = 0

    def markdown(self, text: str) -> str:
        lines, kept, k = text.split("\n"), [], 0
        while k < len(lines):
            line = lines[k]
            opening = _OPEN.match(line)
            name = opening.group("name") if opening else ""
            if self.in_gated:
                if name == "solution-end":
                    self.in_gated = False
                    k = self._skip_block(lines, k, opening.group("fence"))
                else:
                    k += 1
                continue
            if opening and name == "solution-start":
                self.in_gated = True
                self.removed += 1
                k = self._skip_block(lines, k, opening.group("fence"))
                continue
            if opening and _is_removed(name, opening.group("arg")):
                self.removed += 1
                k = self._skip_block(lines, k, opening.group("fence"))
                continue
            kept.append(line)
            k += 1
        return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")

    @staticmethod
    def _skip_block(lines: list[str], start: int, fence: str) -> int:
        """Index of the line after the fence opened at ``start`` closes (the end if it never does)."""
        for k in range(start + 1, len(lines)):
            if _closes(lines[k], fence):
                return k + 1
        return len(lines)


def strip_markdown(text: str) -> tuple[str, int]:
    """``text`` without its solution and answer blocks, and how many were removed."""
    stripper = _Stripper()
    result = stripper.markdown(text)
    return result + ("\n" if text.endswith("\n") and result else ""), stripper.removed


def strip_notebook(nb) -> int:
    """Remove every solution and answer from ``nb`` (in place); return how many were removed."""
    stripper = _Stripper()
    kept = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            original = cell.source
            cell.source = stripper.markdown(original)
            if cell.source.strip() or not original.strip():
                kept.append(cell)
        elif not stripper.in_gated:
            kept.append(cell)
    nb.cells = kept
    return stripper.removed


def strip_sources(sources: pathlib.Path) -> int:
    """Strip every notebook and markdown file under a build's ``_sources`` folder, in place."""
    removed = 0
    for path in sorted(sources.rglob("*")):
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            count = strip_notebook(nb)
            if count:
                nbformat.write(nb, path)
            removed += count
        elif path.suffix == ".md" or path.name.endswith(".md.txt"):
            text, count = strip_markdown(path.read_text(encoding="utf-8"))
            if count:
                path.write_text(text, encoding="utf-8")
            removed += count
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write student copies of chapter notebooks.")
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, required=True,
                        help="folder for the student copies (the originals are not changed)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        if args.out.resolve() == path.resolve().parent:
            parser.error(f"--out must not be the folder of {path}: the originals would be lost.")
        nb = nbformat.read(path, as_version=4)
        count = strip_notebook(nb)
        nbformat.write(nb, args.out / path.name)
        print(f"{args.out / path.name}: {count} solution(s) and answer block(s) removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
