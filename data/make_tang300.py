"""Make data/tang300.txt from the `tang300` file of Debian's fortunes-zh package.

How the committed text was made (nothing here runs at book-build or notebook time):

    apt-get download fortunes-zh            # fortunes-zh_2.98_all.deb
    dpkg-deb -x fortunes-zh_2.98_all.deb fz
    python data/make_tang300.py fz/usr/share/games/fortunes/tang300 > data/tang300.txt

What it keeps: each poem's title, author and lines. What it removes: the terminal colour codes
around titles and authors, the "作者：" ("author:") label, the "%" separators of the fortune
format, and the prose prefaces (序) that six poems carry before their first blank line (with
"・并序", "with preface", taken off their titles). Output: one poem per block, separated by a
blank line; a block is the title line, the author line, then the poem's lines as in the source.
"""

import re
import sys

COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def poems(raw: str):
    for entry in COLOUR.sub("", raw).split("%\n"):
        rows = entry.rstrip("\n").split("\n")
        if rows == [""]:
            continue
        title, author, body = rows[0], rows[1], rows[2:]
        assert title.startswith("《") and title.endswith("》"), title
        assert author.startswith("作者："), author
        blank = [k for k, row in enumerate(body) if not row.strip()]
        if blank:  # a prose preface, then a blank row, then the poem
            assert "并序" in title and len(blank) == 1, title
            body = body[blank[0] + 1:]
            title = title.replace("・并序", "")
        yield title, author.removeprefix("作者："), body


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    blocks = ["\n".join([title, author, *body]) for title, author, body in poems(raw)]
    sys.stdout.write("\n\n".join(blocks) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
