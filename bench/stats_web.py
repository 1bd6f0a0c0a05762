"""The statistics on the web, on the real corpus: what a page, a chart and an API answer cost
when nothing is cached, and what they add to a person's and a topic's page.

Each figure is p50/p95 in ms over ``--runs`` requests after a warm-up, through the whole app in
process (FastAPI's test client) with the response cache off, so every request computes. The
person page is timed with and without its statistics (``data.person_page``, the page before
issue 14, against ``statsdata.person_page``). The script prints and never asserts a time.

    .venv/bin/python bench/stats_web.py [--archive DIR] [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient

from stats import CORPUS_FILES, timed
from stenogram.ingest import ingest, open_archive
from stenogram.settings import load_settings
from stenogram.stats import speakers
from stenogram.web import create_app, data, statsdata
from synth import CORPUS


@contextmanager
def real_archive(given: Path | None) -> Iterator[Path]:
    """``--archive``, or the real corpus ingested into a temporary folder."""
    if given is not None:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="stats-web-") as work:
        folder = Path(work) / "archive"
        start = time.perf_counter()
        files = [CORPUS.parent / name for name in CORPUS_FILES]
        ingest(files, load_settings({"archive": folder}))
        print(json.dumps({"real_ingest_s": round(time.perf_counter() - start, 1)}), flush=True)
        yield folder


def pages(client: TestClient, person: str, topic: str) -> dict[str, str]:
    return {
        "stats_trend_page": "/stats/trend?term=Russia&term=economy",
        "stats_trend_api": "/api/stats/trend?term=Russia&term=economy",
        "stats_trend_svg": "/stats/trend.svg?term=Russia&term=economy",
        "stats_trend_png": "/stats/trend.png?term=Russia&term=economy",
        "stats_speakers_page": "/stats/speakers",
        "stats_distinctive_page": f"/stats/distinctive?q=speaker:{person}",
        "stats_network_page": f"/stats/network?person={person}",
        "stats_network_svg": f"/stats/network.svg?person={person}&limit=16",
        "stats_calendar_page": "/stats/calendar",
        "stats_places_page": "/stats/places",
        "person_page": f"/persons/{person}",
        "topic_page": f"/tags/topics/{quote(topic)}",
    }


def measure(folder: Path, runs: int) -> dict[str, Any]:
    settings = load_settings({"archive": folder})
    figures: dict[str, Any] = {}
    with open_archive(settings) as archive:
        person = speakers(archive, limit=1).speakers[0].person_id
        topic = archive.tag_counts("topics", limit=1)[1][0][0]
        at = data.Paging()
        figures["person_data_before"] = timed(lambda: data.person_page(archive, person, at), runs)
        figures["person_data_after"] = timed(
            lambda: statsdata.person_page(archive, person, at), runs
        )
    with TestClient(create_app(settings, cache_bytes=0)) as client:
        for name, url in pages(client, person, topic).items():

            def get(url: str = url) -> None:
                assert client.get(url).status_code == 200, url

            figures[name] = timed(get, runs)
    return {"person": person, "topic": topic, **figures}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--archive", type=Path, help="an ingested archive of the real corpus")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    with real_archive(args.archive) as folder:
        print(json.dumps(measure(folder, args.runs), indent=1), flush=True)


if __name__ == "__main__":
    main()
