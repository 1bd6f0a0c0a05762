"""The demo corpus: what ``make demo`` ingests before it serves.

A demo should show the real thing, so it reads the development corpus when it is beside the
project (``../shared/corpus``): a spread of the en.kremlin.ru archive rather than its first
pages, which are all from 2000 and mostly without transcripts, plus the Russian CSV so that both
languages show. On a machine without that folder, the small sample shipped in the package (real
pages too, with their attribution in this package's README.md) stands in.
"""

from __future__ import annotations

import lzma
import tarfile
from importlib.resources import files
from pathlib import Path, PurePosixPath

from ..errors import SourceError

#: One page in this many of the en.kremlin.ru archive (5,829 pages: about 290 of them).
STRIDE = 20
#: Never more pages than this, whatever the archive holds.
MAX_PAGES = 300
ARCHIVE = "kremlin-en-2000-2020.tar.xz"
CSV = "kremlin-ru-2025.csv"
SEED = "000_46537543d1896dfd.txt"


def packaged() -> Path:
    """The folder of the shipped sample (the package is installed as files, never zipped)."""
    return Path(str(files(__package__) / "data"))


def demo_paths(shared: Path | None, *, into: Path | None = None) -> list[Path]:
    """The documents of the demo, to hand to :func:`stenogram.ingest.ingest`.

    With ``shared/corpus`` present, pages of its en.kremlin.ru archive are written to ``into``
    (which must be given then: the caller owns that folder and removes it after the ingest).
    """
    seed = packaged() / SEED
    corpus = shared / "corpus" if shared is not None else None
    if corpus is None or not (corpus / ARCHIVE).is_file():
        return [packaged() / "kremlin-en-sample.tar.xz", seed]
    if into is None:
        raise SourceError("the demo needs a folder to extract pages into", document=str(corpus))
    if shared is not None and (shared / "seed" / SEED).is_file():
        seed = shared / "seed" / SEED
    paths = _spread(corpus / ARCHIVE, into)
    if (corpus / CSV).is_file():
        paths.append(corpus / CSV)
    return [*paths, seed]


def _spread(archive: Path, into: Path) -> list[Path]:
    """Every :data:`STRIDE`-th page of ``archive``, written under ``into`` by its base name only
    (a member's path is never trusted as a place to write)."""
    into.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        with tarfile.open(archive, "r|xz") as tar:
            seen = 0
            for member in tar:
                name = PurePosixPath(member.name).name
                if not member.isfile() or not name.endswith(".html"):
                    continue
                seen += 1
                if (seen - 1) % STRIDE:
                    continue
                stream = tar.extractfile(member)
                if stream is None:
                    continue
                target = into / name
                target.write_bytes(stream.read())
                written.append(target)
                if len(written) >= MAX_PAGES:
                    break
    except (tarfile.TarError, lzma.LZMAError, OSError, EOFError) as exc:
        raise SourceError(f"cannot read the demo corpus: {exc}", document=str(archive)) from None
    return written


__all__ = ["demo_paths"]
