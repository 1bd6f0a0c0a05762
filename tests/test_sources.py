"""Reading documents from files, folders, archives and the scraper CSV, on the real corpora."""

from __future__ import annotations

import csv
import io
import sys
import tarfile
import tracemalloc
import zipfile
from pathlib import Path
from typing import Literal

import pytest

from stenogram.errors import ParseError, SourceError
from stenogram.sources import RawDocument, iter_documents, parse_paths

MB = 1024 * 1024
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mutation"
PAGE = (FIXTURES / "en-60577.html").read_bytes()
OTHER_PAGE = (FIXTURES / "en-63334.html").read_bytes()


def read_all(*paths: str | Path, max_bytes: int = 20 * MB) -> list[RawDocument | SourceError]:
    return list(iter_documents(paths, max_bytes=max_bytes))


def names(items: list[RawDocument | SourceError]) -> list[str]:
    return [i.name if isinstance(i, RawDocument) else f"ERR {i.document}" for i in items]


def test_folder_is_walked_sorted_and_recursive_skipping_hidden_and_non_documents(
    tmp_path: Path,
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "2.html").write_bytes(PAGE)
    (tmp_path / "a.txt").write_bytes(b"text")
    (tmp_path / "c.HTML").write_bytes(OTHER_PAGE)
    (tmp_path / ".hidden.html").write_bytes(PAGE)
    (tmp_path / ".git" / "x.html").write_bytes(PAGE)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "style.css").write_bytes(b"body{}")
    items = read_all(tmp_path)
    root = str(tmp_path)
    assert names(items) == [f"{root}/a.txt", f"{root}/b/2.html", f"{root}/c.HTML"]
    assert [i.data for i in items if isinstance(i, RawDocument)] == [b"text", PAGE, OTHER_PAGE]


def test_symlinked_folders_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(PAGE)
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert names(read_all(tmp_path)) == [f"{tmp_path}/a.html"]


def test_a_file_named_explicitly_is_read_whatever_its_suffix(tmp_path: Path) -> None:
    odd = tmp_path / ".page.dat"
    odd.write_bytes(PAGE)
    assert read_all(odd) == [RawDocument(str(odd), PAGE)]


def test_missing_path_is_an_error_and_the_next_path_is_still_read(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(PAGE)
    items = read_all(tmp_path / "nope.html", page)
    assert isinstance(items[0], SourceError)
    assert items[0].message == f"{tmp_path}/nope.html: no such file or directory"
    assert items[1] == RawDocument(str(page), PAGE)


def test_permission_denied_is_reported_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked.html"
    locked.write_bytes(PAGE)
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "locked.html":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", deny)
    (error,) = read_all(locked)
    assert isinstance(error, SourceError)
    assert error.message == f"{locked}: permission denied"


def test_too_big_file_is_refused_without_stopping_the_batch(tmp_path: Path) -> None:
    (tmp_path / "1.html").write_bytes(PAGE)
    (tmp_path / "2.html").write_bytes(OTHER_PAGE)
    items = read_all(tmp_path, max_bytes=len(OTHER_PAGE))
    assert isinstance(items[0], SourceError)
    assert items[0].document == f"{tmp_path}/1.html"
    assert "too large" in items[0].reason and f"{len(PAGE):,}" in items[0].reason
    assert items[1] == RawDocument(f"{tmp_path}/2.html", OTHER_PAGE)


TarMode = Literal["w", "w:gz", "w:bz2", "w:xz"]


def _tar(path: Path, members: dict[str, bytes], mode: TarMode) -> None:
    with tarfile.open(path, mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("suffix,mode", [(".tar", "w"), (".tar.gz", "w:gz"), (".tar.bz2", "w:bz2")])
def test_tar_members_are_read_in_archive_order_with_their_names(
    tmp_path: Path, suffix: str, mode: TarMode
) -> None:
    archive = tmp_path / f"pages{suffix}"
    _tar(archive, {"b.html": PAGE, "a/.DS_Store.html": b"x", "img.jpg": b"x", "a.html": b"A"}, mode)
    items = read_all(archive)
    assert items == [RawDocument(f"{archive}!b.html", PAGE), RawDocument(f"{archive}!a.html", b"A")]


def test_too_big_tar_member_is_reported_and_the_next_member_read(tmp_path: Path) -> None:
    archive = tmp_path / "pages.tar.xz"
    _tar(archive, {"big.html": PAGE, "small.html": OTHER_PAGE}, "w:xz")
    items = read_all(archive, max_bytes=len(OTHER_PAGE))
    assert isinstance(items[0], SourceError) and items[0].document == f"{archive}!big.html"
    assert items[1] == RawDocument(f"{archive}!small.html", OTHER_PAGE)


def _read_peak(archive: Path) -> tuple[int, int]:
    """(bytes of documents read, peak traced memory) over one pass that keeps nothing."""
    total = 0
    tracemalloc.start()
    try:
        for item in iter_documents([archive], max_bytes=20 * MB):
            assert isinstance(item, RawDocument)
            total += len(item.data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return total, peak


def _pages_tar_xz(path: Path, count: int) -> Path:
    """``count`` distinct pages (two real ones, numbered), xz-compressed at the fastest preset."""
    with tarfile.open(path, "w:xz", preset=0) as tar:
        for i in range(count):
            data = (PAGE if i % 2 else OTHER_PAGE) + f"<!-- copy {i} -->".encode()
            info = tarfile.TarInfo(f"pages/{i:05d}.html")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_tar_xz_is_streamed_in_memory_that_does_not_grow_with_the_archive(tmp_path: Path) -> None:
    """Reading an archive eight times larger takes no more memory: it is set by the decompressor
    and the largest page, not by the archive. The margin is a quarter of the extra data (~5 MB),
    well above run-to-run noise (under 1 MB: both hold the same pages) and far below what keeping
    the documents would cost. The real corpus's figure is printed by bench/memory.py."""
    small = _pages_tar_xz(tmp_path / "small.tar.xz", 100)
    _read_peak(small)  # the first pass of a process allocates what later passes reuse
    small_total, small_peak = _read_peak(small)
    large_total, large_peak = _read_peak(_pages_tar_xz(tmp_path / "large.tar.xz", 800))
    assert large_total > 7.9 * small_total > 16 * MB
    assert large_peak < small_peak + (large_total - small_total) / 4


def test_truncated_tar_xz_ends_with_one_error_naming_the_archive(
    corpus_dir: Path, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.tar.xz"
    cut.write_bytes((corpus_dir / "kremlin-en-2000-2020.tar.xz").read_bytes()[:300_000])
    items = read_all(cut, tmp_path / "missing.html")
    documents = [i for i in items if isinstance(i, RawDocument)]
    errors = [i for i in items if isinstance(i, SourceError)]
    assert len(documents) > 10
    assert all(d.data.rstrip().endswith(b"</html>") for d in documents)  # no half pages
    assert [e.document for e in errors] == [str(cut), f"{tmp_path}/missing.html"]
    assert "truncated or corrupt archive" in errors[0].reason


def test_zip_with_a_corrupt_member_reports_it_and_reads_the_others(tmp_path: Path) -> None:
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("1.html", PAGE)
        zf.writestr("2.html", OTHER_PAGE)
    raw = bytearray(archive.read_bytes())
    start = raw.index(b"1.html") + len("1.html")  # the first member's compressed data
    raw[start + 200 : start + 260] = bytes(60)
    archive.write_bytes(bytes(raw))
    items = read_all(archive)
    assert isinstance(items[0], SourceError)
    assert items[0].document == f"{archive}!1.html"
    assert items[1] == RawDocument(f"{archive}!2.html", OTHER_PAGE)


def test_zip_that_is_not_a_zip_is_one_error(tmp_path: Path) -> None:
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("1.html", PAGE)
    archive.write_bytes(archive.read_bytes()[:1000])
    (error,) = read_all(archive)
    assert isinstance(error, SourceError) and error.document == str(archive)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_scraper_csv_gives_one_document_per_row(corpus_dir: Path) -> None:
    path = corpus_dir / "kremlin-ru-2025.csv"
    rows = _csv_rows(path)
    items = read_all(path)
    assert len(items) == len(rows) == 100
    for number, (item, row) in enumerate(zip(items, rows, strict=True), start=1):
        assert isinstance(item, RawDocument)
        assert item.name == f"{path}#row={number}"
        assert item.format == "kremlin-text"
        assert item.url == row["url"]
        text = item.data.decode()
        # The text version starts with the kicker and the headline, then runs on across cells
        # that were cut mid-word: joined back with nothing between them.
        assert text.startswith("События " + row["title"])
        cells = [row[f"article_full_text_{n}"] for n in range(1, 11)]
        assert text == "".join(cells)
    longest = max(len(i.data) for i in items if isinstance(i, RawDocument))
    assert longest > 100_000  # rows that spanned several 30,000-character cells are whole


def test_scraper_csv_inside_a_tar_is_read_row_by_row(corpus_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "ru.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(corpus_dir / "kremlin-ru-2025.csv", arcname="ru/kremlin.csv")
    items = read_all(archive)
    assert len(items) == 100
    assert all(isinstance(i, RawDocument) and i.format == "kremlin-text" for i in items)
    assert names(items)[41] == f"{archive}!ru/kremlin.csv#row=42"


def test_parse_paths_refuses_an_unknown_source_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="unknown source format 'nope'"):
        parse_paths([tmp_path / "missing"], source="nope")


def test_parse_paths_yields_failures_in_place(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "zz.png").write_bytes(b"\x89PNG")  # skipped: not a document file
    items = list(parse_paths([tmp_path, tmp_path / "missing.html"]))
    assert [type(i) for i in items] == [ParseError, SourceError]
    assert [getattr(i, "message", None) for i in items] == [
        f"{tmp_path}/empty.html: document is empty",
        f"{tmp_path}/missing.html: no such file or directory",
    ]
