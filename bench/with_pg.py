"""Run a bench command against a throwaway PostgreSQL cluster, then stop the cluster.

The cluster is the tests' (``tests/pgcluster.py``: Debian's PostgreSQL binaries, 127.0.0.1 on a
free port, an unprivileged owner when run as root, fsync off as it is thrown away). Every
``@DB@`` in the command becomes the URL of a new empty database of its own.

    .venv/bin/python bench/with_pg.py .venv/bin/python bench/serve.py --database @DB@
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pgcluster import Cluster, binaries, empty_database

MARK = "@DB@"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    found = binaries()
    if found is None:
        print("no PostgreSQL binaries (apt-get install postgresql)", file=sys.stderr)
        return 2
    cluster = Cluster(found)
    cluster.start()
    try:
        command = []
        for number, arg in enumerate(argv):
            if MARK in arg:
                arg = arg.replace(MARK, empty_database(cluster.url("postgres"), f"bench{number}"))
            command.append(arg)
        print(f"PostgreSQL {found.parent.name} on port {cluster.port}", flush=True)
        return subprocess.run(command, check=False).returncode
    finally:
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
