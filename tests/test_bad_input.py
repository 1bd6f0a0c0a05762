"""Bad input through the real CLI: each bad document is one line on stderr, the batch goes on.

Every case runs in a batch with a good page before and after it, because the promise is not only
"no traceback" but also "the other documents are still printed and the exit status says so".
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stenogram.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mutation"
EN_PAGE = FIXTURES / "en-60577.html"
RU_TEXT = FIXTURES / "ru-76862.txt"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
BLOG = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ten tips for sourdough | Crumb Notes</title>
</head><body><header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header>
<article class="post"><h1>Ten tips for sourdough</h1>
<p class="byline">Posted on March 3, 2021 by Jane</p>
<p>Feed your starter the night before. Use a scale, not cups.</p>
<p>Q: How warm should the kitchen be? A: Around 24 degrees is ideal.</p>
<p>Comments: 12</p></article><footer>Powered by WordPress</footer></body></html>
"""


def run(*paths: Path) -> tuple[int, list[dict[str, Any]], list[str]]:
    result = CliRunner().invoke(app, ["parse", *map(str, paths)])
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return (
        result.exit_code,
        [json.loads(line) for line in result.stdout.splitlines()],
        result.stderr.splitlines(),
    )


def origins(recs: list[dict[str, Any]]) -> list[str]:
    return [r["origin"] for r in recs]


@pytest.fixture
def good(tmp_path: Path) -> tuple[Path, Path]:
    """Two real pages that must come out of every batch."""
    first, last = tmp_path / "good-first.html", tmp_path / "good-last.txt"
    first.write_bytes(EN_PAGE.read_bytes())
    last.write_bytes(RU_TEXT.read_bytes())
    return first, last


def assert_one_failure(bad: Path, good: tuple[Path, Path], reason: str = "") -> str:
    """Run ``good[0], bad, good[1]``; the bad one is one error line, the good ones are printed."""
    code, recs, err = run(good[0], bad, good[1])
    assert code == 1
    assert origins(recs) == [str(good[0]), str(good[1])]
    assert len(err) == 2, err
    assert err[0].startswith(f"error: {bad}: "), err[0]
    assert reason in err[0]
    assert err[1] == "parsed 2, failed 1"
    return err[0]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_empty_file(tmp_path: Path, good: tuple[Path, Path]) -> None:
    assert_one_failure(_write(tmp_path, "empty.html", b""), good, "empty")


@pytest.mark.parametrize("data", [PNG, gzip.compress(EN_PAGE.read_bytes())], ids=["png", "gzip"])
def test_binary_file(tmp_path: Path, good: tuple[Path, Path], data: bytes) -> None:
    assert_one_failure(_write(tmp_path, "image.html", data), good, "binary")


def test_huge_file_is_refused_by_size(tmp_path: Path, good: tuple[Path, Path]) -> None:
    page = EN_PAGE.read_bytes()
    filler = b"<!-- " + b"x" * (21 * 1024 * 1024) + b" -->"
    huge = _write(tmp_path, "huge.html", page.replace(b"</body>", filler + b"</body>"))
    assert_one_failure(huge, good, "too large")


def test_unrelated_html_is_not_a_known_format(tmp_path: Path, good: tuple[Path, Path]) -> None:
    assert_one_failure(_write(tmp_path, "blog.html", BLOG), good, "not a document of any known")


@pytest.mark.parametrize("source", [EN_PAGE, RU_TEXT], ids=["html", "text"])
def test_page_cut_in_half_gives_a_record_or_one_clear_error(
    tmp_path: Path, good: tuple[Path, Path], source: Path
) -> None:
    data = source.read_bytes()
    half = _write(tmp_path, "half" + source.suffix, data[: len(data) // 2])
    code, recs, err = run(good[0], half, good[1])
    if code == 0:
        assert origins(recs) == [str(good[0]), str(half), str(good[1])]
        assert err == ["parsed 3, failed 0"]
    else:
        assert_one_failure(half, good)


def _same_record(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Equal but for where they came from (and any note about the encoding)."""
    ignored = {"origin", "warnings"}
    assert {k: v for k, v in a.items() if k not in ignored} == {
        k: v for k, v in b.items() if k not in ignored
    }


@pytest.mark.parametrize("source", [EN_PAGE, RU_TEXT], ids=["html", "text"])
@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.replace('charset="utf-8"', 'charset="windows-1251"').encode("cp1251"),
        lambda text: text.encode("cp1251"),  # and still declared as UTF-8
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    ],
    ids=["cp1251", "cp1251-declared-utf8", "utf8-bom"],
)
def test_other_encodings_give_the_same_record(
    tmp_path: Path, source: Path, encode: Callable[[str], bytes]
) -> None:
    text = source.read_text(encoding="utf-8")
    other = _write(tmp_path, "other" + source.suffix, encode(text))
    code, recs, err = run(source, other)
    assert code == 0, err
    assert "\ufffd" not in json.dumps(recs[1], ensure_ascii=False)
    _same_record(recs[0], recs[1])


@pytest.mark.parametrize("source", [EN_PAGE, RU_TEXT], ids=["html", "text"])
def test_utf16_gives_the_same_record_or_one_clear_error(
    tmp_path: Path, good: tuple[Path, Path], source: Path
) -> None:
    text = source.read_text(encoding="utf-8")
    utf16 = _write(tmp_path, "utf16" + source.suffix, text.encode("utf-16"))
    code, recs, _ = run(good[0], utf16, good[1])
    if code == 0:
        _same_record(recs[1], run(source)[1][0])
    else:
        assert_one_failure(utf16, good)


def test_truncated_tar_xz_is_one_error_after_its_readable_members(
    corpus_dir: Path, tmp_path: Path, good: tuple[Path, Path]
) -> None:
    cut = _write(
        tmp_path, "cut.tar.xz", (corpus_dir / "kremlin-en-2000-2020.tar.xz").read_bytes()[:200_000]
    )
    code, recs, err = run(good[0], cut, good[1])
    assert code == 1
    assert origins(recs)[0] == str(good[0]) and origins(recs)[-1] == str(good[1])
    members = origins(recs)[1:-1]
    assert members and all(m.startswith(f"{cut}!") for m in members)
    archive_errors = [line for line in err if line.startswith(f"error: {cut}: ")]
    assert len(archive_errors) == 1 and "truncated or corrupt archive" in archive_errors[0]
    assert err[-1].startswith(f"parsed {len(recs)}, failed ")


def test_corrupt_zip_is_one_error(tmp_path: Path, good: tuple[Path, Path]) -> None:
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(EN_PAGE, "a.html")
    archive.write_bytes(archive.read_bytes()[:-30])  # the central directory is cut off
    assert_one_failure(archive, good, "corrupt zip archive")


def test_unreadable_zip_member_is_one_error_and_its_siblings_are_read(
    tmp_path: Path, good: tuple[Path, Path]
) -> None:
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(EN_PAGE, "1-broken.html")
        zf.write(RU_TEXT, "2-fine.txt")
    raw = bytearray(archive.read_bytes())
    start = raw.index(b"1-broken.html") + len("1-broken.html")
    raw[start + 300 : start + 400] = bytes(100)  # damage the first member's deflate stream
    archive.write_bytes(bytes(raw))
    code, recs, err = run(good[0], archive, good[1])
    assert code == 1
    assert origins(recs) == [str(good[0]), f"{archive}!2-fine.txt", str(good[1])]
    assert err[0].startswith(f"error: {archive}!1-broken.html: unreadable zip member")
    assert err[1:] == ["parsed 3, failed 1"]


def test_many_bad_documents_in_one_batch(tmp_path: Path, good: tuple[Path, Path]) -> None:
    bad = [
        _write(tmp_path, "a-empty.html", b""),
        _write(tmp_path, "b-image.html", PNG),
        _write(tmp_path, "c-blog.html", BLOG),
        tmp_path / "d-missing.html",
    ]
    code, recs, err = run(good[0], *bad, good[1])
    assert code == 1
    assert origins(recs) == [str(good[0]), str(good[1])]
    assert len(err) == len(bad) + 1
    assert all(line.startswith(f"error: {p}: ") for line, p in zip(err, bad, strict=False))
    assert err[-1] == "parsed 2, failed 4"
