"""The glossary and the chapters agree: every entry is linked ({term}) from some chapter, every
{term} link names an entry, every entry gives the term's Chinese name, and every chapter links to
the glossary and cites the references.

Chapters are read as their source (every markdown cell of the notebooks in _toc.yml), so a new
chapter's terms count as soon as it is in the table of contents.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import ROOT, toc_files, toc_notebooks

GLOSSARY = ROOT / "book" / "glossary.md"
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
CJK = re.compile(r"[\u4e00-\u9fff]")


def glossary_entries() -> dict[str, str]:
    """``{term (lower case): definition}`` from the ``{glossary}`` block of book/glossary.md."""
    text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(r"^```\{glossary\}\n(.*?)^```", text, re.S | re.M)
    assert block, "book/glossary.md has no {glossary} block"
    entries, terms, definition = {}, [], []

    def close():
        for term in terms:
            entries[term.lower()] = " ".join(definition)

    for line in block.group(1).splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line[0].isspace():
            definition.append(line.strip())
        else:
            if definition:
                close()
                terms, definition = [], []
            terms.append(line.strip())
    close()
    return entries


def target(role_text: str) -> str:
    """The entry a ``{term}`` role links to: ``text <target>`` or ``target``."""
    explicit = re.search(r"<([^<>]+)>\s*$", role_text)
    return (explicit.group(1) if explicit else role_text).strip().lower()


def chapter_markdown(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def pages_markdown() -> dict[str, str]:
    """Every page of the book as MyST text: chapters (notebooks) and prose pages."""
    pages = {}
    for f in toc_files():
        if (ROOT / f"{f}.ipynb").exists():
            pages[f] = chapter_markdown(ROOT / f"{f}.ipynb")
        elif (ROOT / f"{f}.md").exists():
            pages[f] = (ROOT / f"{f}.md").read_text(encoding="utf-8")
    return pages


def test_glossary_is_parsed():
    entries = glossary_entries()
    assert len(entries) >= 20 and "forget gate" in entries
    assert all(definition for definition in entries.values())


def test_every_entry_gives_the_chinese_name():
    missing = [term for term, definition in glossary_entries().items() if not CJK.search(definition)]
    assert not missing, f"glossary entries without their Chinese name: {missing}"


def test_every_term_link_names_a_glossary_entry():
    entries = glossary_entries()
    unknown = {f"{page}: {target(role)}" for page, text in pages_markdown().items()
               for role in TERM_ROLE.findall(text) if target(role) not in entries}
    assert not unknown, f"{{term}} links to terms the glossary lacks: {sorted(unknown)}"


def test_every_glossary_entry_is_linked_from_a_chapter():
    """A term in the glossary that no chapter links (at its first use) is either unused, and
    should go, or used without its link, which should be added."""
    linked = {target(role) for path in toc_notebooks()
              for role in TERM_ROLE.findall(chapter_markdown(path))}
    unlinked = sorted(set(glossary_entries()) - linked)
    assert not unlinked, f"glossary entries that no chapter links with {{term}}: {unlinked}"


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_every_chapter_links_the_glossary_and_cites_references(path):
    text = chapter_markdown(path)
    assert TERM_ROLE.search(text), f"{path.name} links no term to the glossary"
    keys = {key.strip() for role in CITE_ROLE.findall(text) for key in role.split(",")}
    assert keys, f"{path.name} cites nothing from book/references.bib"
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    defined = set(re.findall(r"@\w+\{([^,\s]+),", bib))
    assert keys <= defined, f"{path.name} cites keys not in references.bib: {sorted(keys - defined)}"
