"""The PostgreSQL under FerretDB, made to fail the way a sick database does (trust auth on the
local cluster, driven with psql). Every fault has its undoing in `restore`, which a test calls in
a `finally`: the cluster is shared, it must never be left read-only or with a statement timeout.

Admin statements run from the `postgres` database, so a statement timeout set on a FerretDB
database never applies to them, and each begins with `SET default_transaction_read_only = off`,
so they work while the cluster is read-only.
"""

import os
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PG_HOST, PG_PORT = "127.0.0.1", int(os.environ.get("PG_PORT", "54329"))
LOCKER = "failmodel-locker"
ROOT = Path(__file__).resolve().parents[2]
FERRETDB_BIN = Path(os.environ.get("FERRETDB_BIN", ROOT / "var" / "bin" / "ferretdb"))  # what deploy/local builds


def available() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Postgres:
    database: str = "ferretdb"  # whose FerretDB backends the faults hit
    injected: dict[str, int] = field(default_factory=dict)  # fault -> times, for the figures
    cluster_touched: bool = False

    def sql(self, *statements: str, database: str = "postgres") -> str:
        command = ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", "postgres", "-d", database, "-tAq",
                   "-v", "ON_ERROR_STOP=1", "-c", "SET default_transaction_read_only = off", "-c", "SET statement_timeout = 0"]
        for statement in statements:
            command += ["-c", statement]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=30).stdout.strip()

    def terminate_backends(self) -> int:
        """Ends every PostgreSQL session FerretDB holds on the database, mid-statement or idle."""
        self._count("terminate")
        killed = self.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                          f"WHERE datname = '{self.database}' AND pid <> pg_backend_pid()")
        return int(killed or 0)

    def read_only(self, whole_cluster: bool = False) -> None:
        """Turns read-only: the whole cluster (ALTER SYSTEM and a reload) or the database alone.
        Sessions FerretDB already holds are ended so that every one of them sees it."""
        self._count("read-only")
        self.cluster_touched |= whole_cluster
        if whole_cluster:
            self.sql("ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()")
        else:
            self.sql(f"ALTER DATABASE {self.database} SET default_transaction_read_only = on")
        self._quietly_terminate()

    def statement_timeout(self, timeout: str = "5ms") -> None:
        self._count("statement-timeout")
        self.sql(f"ALTER DATABASE {self.database} SET statement_timeout = '{timeout}'")
        self._quietly_terminate()

    def hold_locks(self, schema: str, seconds: float) -> subprocess.Popen:
        """Locks every table of a FerretDB database (a PostgreSQL schema) for `seconds`, from a
        session of its own: statements queue behind it, as behind a long migration, and a
        statement timeout then ends them, however small the data."""
        tables = self.sql(f"SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') FROM pg_tables "
                          f"WHERE schemaname = '{schema}'", database=self.database)
        locker = subprocess.Popen(["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", "postgres", "-d", self.database,
                                   "-q", "-c", "SET statement_timeout = 0", "-c", "BEGIN",
                                   "-c", f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE",
                                   "-c", f"SELECT pg_sleep({seconds})", "-c", "COMMIT"],
                                  env={**os.environ, "PGAPPNAME": LOCKER}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        self._until_locked(locker)
        return locker

    def _until_locked(self, locker: subprocess.Popen, timeout: float = 15) -> None:
        """Returns once the locker holds its locks (psql may take a while to start on a busy machine)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and locker.poll() is None:
            held = self.sql("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                            f"WHERE a.application_name = '{LOCKER}' AND l.mode = 'AccessExclusiveLock' AND l.granted")
            if int(held or 0):
                return
            time.sleep(0.05)
        raise TimeoutError("the locker did not get its locks")

    def restore(self, whole_cluster: bool = False) -> None:
        """Undoes every fault (harmless when none is on), then ends the sessions that saw one."""
        if whole_cluster or self.cluster_touched:
            self.sql("ALTER SYSTEM RESET default_transaction_read_only", "SELECT pg_reload_conf()")
        self.sql(f"ALTER DATABASE {self.database} RESET default_transaction_read_only",
                 f"ALTER DATABASE {self.database} RESET statement_timeout")
        if self.injected:
            self.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     f"WHERE datname = '{self.database}' AND pid <> pg_backend_pid()")

    def healthy(self) -> bool:
        """No fault of ours is left on: the cluster writable, the database without our settings."""
        settings = self.sql("SELECT coalesce(string_agg(c, ','), '') FROM pg_db_role_setting s "
                            "JOIN pg_database d ON d.oid = s.setdatabase, unnest(s.setconfig) AS c "
                            f"WHERE d.datname = '{self.database}'")
        system = self.sql("SELECT count(*) FROM pg_file_settings WHERE name = 'default_transaction_read_only'")
        return system == "0" and "statement_timeout" not in settings and "read_only" not in settings

    def _quietly_terminate(self) -> None:
        self.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                 f"WHERE datname = '{self.database}' AND pid <> pg_backend_pid()")

    def _count(self, fault: str) -> None:
        self.injected[fault] = self.injected.get(fault, 0) + 1


@contextmanager
def private_ferretdb(name: str):
    """A FerretDB of our own on a PostgreSQL database of our own in the shared cluster: faults
    set on that database (read-only, a statement timeout, ended sessions) touch nobody else."""
    postgres = Postgres(name)
    postgres.sql(f"CREATE DATABASE {name}")
    port = _free_port()
    with tempfile.TemporaryDirectory() as state:
        process = subprocess.Popen(
            [str(FERRETDB_BIN), "--handler=postgresql", f"--postgresql-url=postgres://postgres@{PG_HOST}:{PG_PORT}/{name}",
             f"--listen-addr=127.0.0.1:{port}", "--debug-addr=127.0.0.1:0", "--telemetry=disable",
             "--log-level=error", f"--state-dir={state}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_port(port, process)
            yield f"mongodb://127.0.0.1:{port}", postgres
        finally:
            postgres.restore()
            process.terminate()
            process.wait(timeout=10)
            postgres.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"FerretDB exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"FerretDB did not listen on {port}")
