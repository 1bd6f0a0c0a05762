"""Run a bench command against a throwaway PostgreSQL cluster, then stop the cluster.

The cluster is the tests' (``tests/pgcluster.py``: Debian's PostgreSQL binaries, 127.0.0.1 on a
free port, an unprivileged owner when run as root, fsync off as it is thrown away). Every
``@DB@`` in the command becomes the URL of a new empty database of its own. ``@REPLICA@`` makes
the cluster a hot standby too (``tests/pgreplica.py``: ``pg_basebackup -R``, streaming) and
becomes the standby's URL of the first ``@DB@``'s database: what a node reading through a
replica is given. ``--durable`` (before the command) starts the cluster with PostgreSQL's own
defaults for the disk (fsync, full page writes, synchronous commit), as a deployment runs it.

    .venv/bin/python bench/with_pg.py .venv/bin/python bench/serve.py --database @DB@
    .venv/bin/python bench/with_pg.py --durable .venv/bin/python bench/ingest.py --database @DB@
    .venv/bin/python bench/with_pg.py .venv/bin/python bench/serve.py --database @DB@ \
        --read-replica @REPLICA@
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pgcluster import Cluster, binaries, empty_database
from pgreplica import Replica

MARK = "@DB@"
REPLICA_MARK = "@REPLICA@"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    found = binaries()
    if found is None:
        print("no PostgreSQL binaries (apt-get install postgresql)", file=sys.stderr)
        return 2
    durable = argv[0] == "--durable"
    if durable:
        argv = argv[1:]
    cluster = Cluster(found)
    cluster.start(durable=durable)
    standby = Replica(cluster) if any(REPLICA_MARK in arg for arg in argv) else None
    try:
        command = []
        first: str | None = None
        for number, arg in enumerate(argv):
            if MARK in arg:
                name = f"bench{number}"
                first = first or name
                arg = arg.replace(MARK, empty_database(cluster.url("postgres"), name))
            command.append(arg)
        print(f"PostgreSQL {found.parent.name} on port {cluster.port}", flush=True)
        if standby is not None:
            if first is None:
                raise SystemExit(f"{REPLICA_MARK} needs a {MARK} (the database it replicates)")
            standby.start()
            standby.wait_readable()
            command = [arg.replace(REPLICA_MARK, standby.url(first)) for arg in command]
            print(f"hot standby on port {standby.port}", flush=True)
        return subprocess.run(command, check=False).returncode
    finally:
        if standby is not None:
            standby.stop()
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
