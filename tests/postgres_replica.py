"""A real streaming replica of the PostgreSQL server the suite uses, for the replica tests
and the soak benchmark: a second cluster on a free loopback port, copied with
`pg_basebackup` and following the primary's WAL stream.

The server refuses to run as root, so as root (CI here) every command runs as the
`postgres` OS user. The primary must accept replication connections from 127.0.0.1
(`.ci/run` adds that `pg_hba.conf` line); otherwise `ReplicaUnavailable` says why.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg


class ReplicaUnavailable(Exception):
    """This machine cannot make a replica (no server binaries, no replication access)."""


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StreamingReplica:
    def __init__(self, primary_host="127.0.0.1", primary_port=5432, user="postgres"):
        self.primary = {"host": primary_host, "port": int(primary_port), "user": user}
        self.port = _free_port()
        self.directory = None
        self._as_postgres = os.geteuid() == 0

    # --- Life cycle ---------------------------------------------------------------------

    def create(self):
        """Copy the primary and start following it; returns once the replica answers."""
        bindir = self._server_bindir()
        self.pg_ctl = str(bindir / "pg_ctl")
        self.directory = Path(tempfile.mkdtemp(prefix="newsroom-replica-"))
        if self._as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(self.directory, account.pw_uid, account.pw_gid)
        try:
            self._run(
                str(bindir / "pg_basebackup"),
                *("-h", self.primary["host"], "-p", str(self.primary["port"])),
                *("-U", self.primary["user"], "-D", str(self.data), "-X", "stream"),
                *("--write-recovery-conf", "--checkpoint=fast", "--no-sync"),
            )
            # Debian keeps the server's configuration in /etc, outside the copied directory.
            self._write(
                "postgresql.conf",
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.directory}'\n"
                "hot_standby = on\n"
                "shared_buffers = 32MB\n"
                "fsync = off\n"
                # A standby refuses to start with less of these than its primary has.
                + "".join(f"{name} = {value}\n" for name, value in self._limits.items()),
            )
            self._write("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n")
            self._write("pg_ident.conf", "")
            self.start()
        except BaseException:
            self.remove()
            raise

    @property
    def data(self):
        return self.directory / "data"

    def start(self):
        log = self.directory / "log"
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-l", str(log), "-w", "-t", "60", "start")
        except ReplicaUnavailable as error:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise ReplicaUnavailable(f"{error}\n{tail}") from error
        deadline = time.monotonic() + 30
        while True:
            try:
                with self.connect() as conn:
                    if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                        return
            except psycopg.OperationalError:
                pass
            if time.monotonic() > deadline:
                raise ReplicaUnavailable(f"the replica on port {self.port} did not start")
            time.sleep(0.1)

    def stop(self):
        if self.directory is not None and (self.data / "postmaster.pid").exists():
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self):
        try:
            self.stop()
        finally:
            if self.directory is not None:
                shutil.rmtree(self.directory, ignore_errors=True)
                self.directory = None

    # --- Driving it ---------------------------------------------------------------------

    def url(self, database):
        return f"postgres://{self.primary['user']}@127.0.0.1:{self.port}/{database}"

    def connect(self, dbname="postgres"):
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.primary["user"],
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
        )

    def pause_replay(self):
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self):
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_resume()")

    def wait_for(self, what="replay", timeout=30):
        """Until the replica has received (or replayed) everything the primary has written."""
        column = {"receive": "pg_last_wal_receive_lsn()", "replay": "pg_last_wal_replay_lsn()"}
        with psycopg.connect(**self.primary, dbname="postgres", autocommit=True) as primary:
            (target,) = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
        deadline = time.monotonic() + timeout
        with self.connect() as conn:
            while True:
                (behind,) = conn.execute(
                    f"SELECT {column[what]} < %s::pg_lsn", [target]
                ).fetchone()
                if not behind:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica did not {what} up to {target}")
                time.sleep(0.02)

    # --- Helpers ------------------------------------------------------------------------

    def _server_bindir(self):
        try:
            with psycopg.connect(**self.primary, dbname="postgres", connect_timeout=5) as conn:
                (version,) = conn.execute("SHOW server_version_num").fetchone()
                self._limits = dict(
                    conn.execute(
                        "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections',"
                        " 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',"
                        " 'max_locks_per_transaction')"
                    ).fetchall()
                )
        except psycopg.OperationalError as error:
            raise ReplicaUnavailable(f"the primary is not reachable: {error}") from error
        bindir = Path(f"/usr/lib/postgresql/{int(version) // 10000}/bin")
        if not (bindir / "pg_ctl").exists():
            found = shutil.which("pg_ctl")
            if found is None:
                raise ReplicaUnavailable(
                    "PostgreSQL's server programs (pg_ctl, pg_basebackup) are not installed"
                )
            bindir = Path(found).parent
        if self._as_postgres:
            try:
                pwd.getpwnam("postgres")
            except KeyError as error:
                raise ReplicaUnavailable("run as root, but there is no postgres user") from error
        return bindir

    def _write(self, name, text):
        path = self.data / name
        path.write_text(text)
        if self._as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(path, account.pw_uid, account.pw_gid)

    def _run(self, *command):
        program = Path(command[0]).name
        if self._as_postgres:
            command = ("runuser", "-u", "postgres", "--", *command)
        finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if finished.returncode != 0:
            raise ReplicaUnavailable(
                f"{program} failed: {(finished.stderr or finished.stdout).strip()}"
            )
        return finished.stdout
