"""The README and docs/ point only at things that exist.

Checked without running anything: every relative link and image resolves to a file, every
``#anchor`` into a Markdown page names one of its headings, every repository path written in
backticks (`src/rnnlab/run/training.py`, `conf/data/file.yaml`) exists, the figures under
docs/figures/ are all shown somewhere and stay small, and the README stays short enough to
read top to bottom, with the two set-up commands CI looks for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
FIGURES = DOCS / "figures"
README_MAX_LINES = 300
FIGURE_MAX_BYTES = 300 * 1024

#: Backticked text that starts with one of these is a path into the repository.
REPOSITORY_FOLDERS = ("src/", "conf/", "tests/", "benchmarks/", "docs/", "examples/", ".ci/")
#: Folders that commands write and git ignores: named in the docs, absent from a checkout.
GENERATED = ("benchmarks/results/",)
#: Characters that make backticked text a pattern or a placeholder rather than a path.
NOT_A_PATH = re.compile(r"[\s*?<>{}\[\]$|…]|\.\.\.")

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[`~]*[ \t]*$", re.M | re.S)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"(?<!`)`([^`]+)`(?!`)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def prose(page: Path) -> str:
    """The page without its fenced code blocks (commands, output, config examples)."""
    return FENCE.sub("", page.read_text(encoding="utf-8"))


def relative_links(page: Path) -> list[str]:
    """Link and image targets that point into the repository, not at a web address."""
    targets = [match.group(1) for match in LINK.finditer(prose(page))]
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t, re.I)]


def slug(heading: str) -> str:
    """The anchor the repository host gives a heading: its text, lower case, punctuation
    dropped, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(prose(page)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def backticked_paths(page: Path) -> list[str]:
    """Backticked repository paths, without a ``::test`` suffix or a ``:line``."""
    found = []
    for span in CODE_SPAN.findall(prose(page)):
        text = span.strip()
        if not text.startswith(REPOSITORY_FOLDERS) or NOT_A_PATH.search(text):
            continue
        text = re.sub(r"(::.*|:\d+)$", "", text)
        if not text.startswith(GENERATED):
            found.append(text)
    return found


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", pages(), ids=page_id)
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target} (no such heading)")
    assert broken == [], f"{page_id(page)} links to what does not exist: {broken}"


@pytest.mark.parametrize("page", pages(), ids=page_id)
def test_backticked_repository_paths_exist(page: Path) -> None:
    missing = [path for path in backticked_paths(page) if not (ROOT / path).exists()]
    assert missing == [], f"{page_id(page)} names files that do not exist: {missing}"


def test_every_figure_is_shown_and_small() -> None:
    shown = {
        (page.parent / target.partition("#")[0]).resolve()
        for page in pages()
        for target in relative_links(page)
    }
    figures = sorted(FIGURES.glob("*.png"))
    assert figures, "docs/figures/ holds no figure: run make figures"
    assert [f.name for f in figures if f.resolve() not in shown] == []
    assert [f.name for f in figures if f.stat().st_size > FIGURE_MAX_BYTES] == []


def test_readme_is_short_and_keeps_the_set_up_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"
    commands = {line.split("#")[0].strip() for line in lines}
    assert {"make train", "make test"} <= commands


# The checks themselves, on made-up pages, so that they cannot pass by finding nothing.


def test_the_checks_find_what_is_broken(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# A title\n\n## The `data=file` reader's rules\n\n"
        "[ok](#the-datafile-readers-rules) [gone](missing.md) ![img](figures/none.png)\n"
        "[web](https://example.org/x.md) [self](page.md#a-title) [bad](page.md#nowhere)\n"
        "`src/rnnlab/train.py` `conf/<group>/x.yaml` `tests/a.py::test_b` `docs/*.md`\n"
        "`src/this/is\nsplit.py`\n\n```bash\n[not a link](nope.md) `src/in/a/fence.py`\n```\n",
        encoding="utf-8",
    )
    assert relative_links(page) == [
        "#the-datafile-readers-rules",
        "missing.md",
        "figures/none.png",
        "page.md#a-title",
        "page.md#nowhere",
    ]
    assert anchors(page) == {"a-title", "the-datafile-readers-rules"}
    assert backticked_paths(page) == ["src/rnnlab/train.py", "tests/a.py"]
