"""A throwaway PostgreSQL server for the test session (Debian's ``postgresql`` package).

``initdb`` into a temporary folder, started with ``pg_ctl`` listening on a unix socket
only (no TCP port, so nothing else on the machine can reach it and ``--block-network``
has nothing to block), with fsync off since the data is thrown away. Each test gets a
fresh database (``CREATE DATABASE``), dropped afterwards.

initdb refuses to run as root: as root the folders belong to the ``postgres`` system
user (which the Debian package creates) and the server binaries run via ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"  # the role initdb creates; trust auth on the socket, so no password
OS_USER = "postgres"  # who runs the server when the tests run as root
REQUIRE_ENV = "CROSSWALK_REQUIRE_POSTGRES"
START_TIMEOUT_S = 60


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries (initdb, pg_ctl) are not installed, or the server would not start."""


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: PATH first, else the newest /usr/lib/postgresql/<n>/bin."""
    found = shutil.which("initdb")
    if found is not None:
        folder = Path(found).resolve().parent
        if (folder / "pg_ctl").is_file():
            return folder
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    for candidate in reversed(candidates):
        folder = Path(candidate).parent
        if (folder / "pg_ctl").is_file():
            return folder
    return None


def postgres_required() -> bool:
    """True when a missing server must fail the run instead of skipping (``make test`` sets it)."""
    return os.environ.get(REQUIRE_ENV) == "1"


@dataclass
class PostgresServer:
    """A running throwaway server: its folders and how to reach it."""

    bin_dir: Path
    base: Path  # everything lives under here: data/, socket/, server.log
    as_root: bool

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    def url(self, database: str, user: str = SUPERUSER, password: str | None = None) -> str:
        """The SQLAlchemy URL of ``database`` over the unix socket."""
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql+psycopg://{auth}@/{database}?host={self.socket_dir}"

    def conninfo(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """A libpq connection string (for psycopg directly, as the superuser by default)."""
        return f"host={self.socket_dir} dbname={database} user={user}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_root:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", OS_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            raise PostgresUnavailable(f"{' '.join(command)} failed ({result.returncode}): "
                                      f"{result.stderr.strip() or result.stdout.strip()}\n{log}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust", "--no-sync",
                  "--encoding=UTF8", "--locale=C")
        # An empty listen_addresses: no TCP socket at all; a private socket folder instead of /var/run.
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options,
                  "-t", str(START_TIMEOUT_S), "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def create_database(self, prefix: str = "cw") -> str:
        """A new empty database; returns its name."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # a generated name; DDL takes no parameters
        return name

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # FORCE: ends leftover connections


def start_server() -> PostgresServer:
    """Start a throwaway server; PostgresUnavailable when the binaries are missing or it fails to start."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL's initdb was not found on PATH or in /usr/lib/postgresql/*/bin; "
                                  "install Debian's postgresql package (`make postgres` does)")
    as_root = os.geteuid() == 0
    # A short path under /tmp: a unix socket path must stay under ~100 bytes.
    base = Path(tempfile.mkdtemp(prefix="cw-pg-", dir="/tmp"))
    (base / "socket").mkdir()
    if as_root:
        try:
            owner = pwd.getpwnam(OS_USER)
        except KeyError:
            shutil.rmtree(base, ignore_errors=True)
            raise PostgresUnavailable(f"running as root, but there is no {OS_USER!r} system user to run the server as "
                                      "(Debian's postgresql package creates it)") from None
        for folder in (base, base / "socket"):
            os.chown(folder, owner.pw_uid, owner.pw_gid)
    server = PostgresServer(bin_dir=bin_dir, base=base, as_root=as_root)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return server
