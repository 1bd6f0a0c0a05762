"""``python -m stenogram.demo``: ingest the demo corpus into an archive (``make demo`` then
serves it). Ingesting again is quick and changes nothing: stored pages come out unchanged."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from ..errors import StenogramError
from ..ingest import ingest
from ..settings import load_settings
from . import demo_paths, packaged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stenogram.demo", description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="../shared folder")
    parser.add_argument("--archive", type=Path, default=Path("demo-archive"), help="archive folder")
    args = parser.parse_args(argv)
    settings = load_settings({"archive": args.archive})
    try:
        with tempfile.TemporaryDirectory(prefix="stenogram-demo-") as tmp:
            paths = demo_paths(args.shared, into=Path(tmp))
            shipped = paths[0].parent == packaged()
            where = "the sample shipped in the package" if shipped else str(args.shared / "corpus")
            print(f"demo: ingesting {where} into {args.archive} ...", file=sys.stderr)
            summary = ingest(paths, settings)
    except StenogramError as exc:
        print(f"demo: {exc.message}", file=sys.stderr)
        return exc.exit_code
    print(
        f"demo: new {summary.new}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"failed {summary.failed} ({summary.seconds:.1f} s)",
        file=sys.stderr,
    )
    for name, reason in summary.failures:
        print(f"  {name}: {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
