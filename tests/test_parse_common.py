"""The shared parse helpers against what they stand in for."""

from __future__ import annotations

import random

from selectolax.lexbor import LexborHTMLParser

from stenogram.parse.common import normalize_space, plain_paragraphs

PIECES = ("<p>", "</p>", "<br>", "<br/>", "Prime Minister", " ", "\n", "&amp;", "&lt;", "it's", "é")


def _lexbor_paragraphs(content: str) -> list[str]:
    tree = LexborHTMLParser(content)
    for br in tree.css("br"):
        br.replace_with("\n")
    found = tree.css("p")
    if found:
        return [p.text(deep=True) or "" for p in found]
    return [tree.body.text(deep=True) if tree.body is not None else ""]


def test_plain_paragraphs_read_what_lexbor_reads() -> None:
    # The string reading is used only where it gives lexbor's texts (spaces aside: callers
    # normalise them), and refuses anything else with None.
    rng = random.Random(7)
    read = 0
    for _ in range(3000):
        content = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14)))
        got = plain_paragraphs(content)
        if got is None:
            continue
        read += 1
        want = _lexbor_paragraphs(content)
        assert [normalize_space(t) for t in got] == [normalize_space(t) for t in want], content
    assert read > 1000
    assert plain_paragraphs("<p>a <b>bold</b></p>") is None
    assert plain_paragraphs("<p>&#39;quoted&#39;</p>") is None


def test_normalize_space_fast_path_matches_the_full_rule() -> None:
    for text in ("a b", " a", "a  b", "a\u00a0b", "a\u200bb", "a\tb", "plain", "x\n"):
        assert normalize_space(text) == " ".join(text.replace("\u200b", " ").split()), text
