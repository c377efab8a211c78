"""Check (starting them when installed but stopped) the PostgreSQL and Redis servers that CI
needs; exit 1 with a message naming the missing one. Usage: services.py POSTGRES_URL REDIS_URL
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time

import psycopg
import redis

STARTERS = {
    "PostgreSQL": [
        f"pg_ctlcluster --skip-systemctl-redirect {os.path.basename(v)} main start"
        for v in sorted(glob.glob("/etc/postgresql/*"))
    ],
    "Redis": [
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
        "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
    ],
}


def reachable(name: str, url: str) -> str | None:
    """None when the server answers, else the error."""
    try:
        if name == "PostgreSQL":
            psycopg.connect(url, connect_timeout=3).close()
        else:
            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception as error:  # any failure means "not usable"
        return str(error).strip()
    return None


def main(postgres_url: str, redis_url: str) -> int:
    missing = []
    for name, url in (("PostgreSQL", postgres_url), ("Redis", redis_url)):
        error = reachable(name, url)
        for command in STARTERS[name] if error else []:
            if shutil.which(command.split()[0]):
                print(f"== {name} not reachable at {url}; starting it: {command}")
                subprocess.run(command, shell=True, check=False)
                for _ in range(30):
                    time.sleep(0.5)
                    if (error := reachable(name, url)) is None:
                        break
        if error:
            missing.append(f"{name} not reachable at {url} ({error})")
        else:
            print(f"== {name} reachable at {url}")
    for line in missing:
        print(f"CI needs {line}; start it, or point UNIMAP_TEST_POSTGRES_URL / "
              "UNIMAP_TEST_REDIS_URL at one", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
