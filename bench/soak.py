"""Several app nodes (issue 18): readers and writers through Varnish while an app node,
then the task worker, is killed and restarted. Prints what failed and whether anything
acknowledged was lost or any edit reached readers late.

Run by hand from the project root (it needs the PostgreSQL cluster on 127.0.0.1:5432 to
accept replication connections from 127.0.0.1, redis-server, and varnishd with the xkey
vmod; Locust as for bench/load.py):

    .venv/bin/python bench/soak.py                 # 60 s
    .venv/bin/python bench/soak.py --seconds 20 --node-kill-at 5 --worker-kill-at 12

What it builds, all on 127.0.0.1 and all removed at the end:

- a fresh PostgreSQL database (--database-url, default newsroom_soak) and a streaming
  replica of the cluster, made with pg_basebackup on a free port
  (tests/postgres_replica.py), which the nodes' reader pages read
  (DATABASE_REPLICA_URLS);
- a private redis-server (Django's cache);
- two gunicorn app nodes on two ports, each started in a working directory of its own,
  sharing one media directory and one SECRET_KEY;
- one `manage.py db_worker`, with a short TASK_LEASE_SECONDS so that a task it was
  running when killed is run again soon after it is back;
- varnishd in front: deploy/varnish/default.vcl with its single backend replaced by the
  two nodes in a round-robin director with health probes (`director_vcl`, the snippet of
  deploy/README.md), and FRONTEND_CACHE_URLS pointing at it so purges reach it.

For --seconds, --readers readers read the article, front, organisation and search pages,
--editors editors save their own article through the admin and --staff staff record
donations, all through Varnish (bench/locustfile.py). Node A is killed (SIGKILL to its
whole process group: master and workers, as when its machine dies) at --node-kill-at and
started again --node-down-for seconds later; the worker likewise at --worker-kill-at.
Meanwhile a watcher in this process saves one more article through the admin via Varnish
every --watch-every seconds and polls its page via Varnish until the new headline shows.

The oracle: no reader error beyond the requests in flight on node A when it was killed;
every acknowledged edit and donation in the database and the appeal's total exact
(harness.check_nothing_lost); every watched edit visible within 2 s of its save's answer.
Edits saved while no worker runs cannot be purged before one is back: they are reported
apart, timed from the worker's restart as well as from the save. Exits non-zero on any
failure.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from admin_forms import edited_article, login_fields
from faults import Fault, timeline
from harness import (
    GUNICORN,
    PASSWORD,
    PYTHON,
    ROOT,
    Browser,
    PrivateRedis,
    check_nothing_lost,
    error_summary,
    free_port,
    fresh_database,
    percentile,
    prepare_site,
    print_table,
    run_locust,
    scratch_directory,
    site_env,
    wait_for,
)

sys.path.insert(0, str(ROOT))
from tests.postgres_replica import StreamingReplica  # noqa: E402

READER_KINDS = ["article", "front", "organisation", "search"]
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/newsroom_soak"
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
EDIT_DEADLINE = 2.0  # seconds from a save's answer to its page through Varnish


# --- Varnish in front of several nodes ---------------------------------------------------


def director_vcl(nodes, health_url="/robots.txt"):
    """The backends, their health probe and the round-robin director, in place of
    default.vcl's single backend. A GET whose node failed to answer (refused, reset, timed
    out) is fetched again from the next node: only the requests a node was answering when
    it died could fail, and those are retried too. A POST is never sent twice."""
    backends = "".join(
        f"backend {name} {{\n"
        f'    .host = "{host}";\n'
        f'    .port = "{port}";\n'
        "    .connect_timeout = 2s;\n"
        "    .first_byte_timeout = 30s;\n"
        "    .probe = node_alive;\n"
        "}\n\n"
        for name, host, port in nodes
    )
    adds = "".join(f"    nodes.add_backend({name});\n" for name, _, _ in nodes)
    return (
        "probe node_alive {\n"
        f'    .url = "{health_url}";\n'
        # Slow answers under load are not death: only a node that fails 3 of 5 probes is
        # taken out of the rotation; 3 good ones in a row put it back.
        "    .interval = 1s;\n"
        "    .timeout = 5s;\n"
        "    .window = 5;\n"
        "    .threshold = 3;\n"
        "    .initial = 3;\n"
        "}\n\n"
        f"{backends}"
        "sub vcl_init {\n"
        "    new nodes = directors.round_robin();\n"
        f"{adds}"
        "}\n\n"
        "sub vcl_recv {\n"
        "    set req.backend_hint = nodes.backend();\n"
        "}\n\n"
        "sub vcl_backend_error {\n"
        '    if (bereq.retries < 4 && bereq.method ~ "^(GET|HEAD)$") {\n'
        "        return (retry);\n"
        "    }\n"
        "}\n"
    )


def vcl_for_nodes(nodes):
    """deploy/varnish/default.vcl with its `backend default` replaced by the nodes'
    director. Varnish runs subroutines defined twice in the order written, so the
    director's vcl_recv (placed where the backend was) runs before the file's own rules."""
    vcl = VCL.read_text()
    backend = re.compile(r"^backend default \{.*?^\}\n", re.MULTILINE | re.DOTALL)
    if not backend.search(vcl) or "import xkey;" not in vcl:
        sys.exit(f"{VCL} no longer has `import xkey;` and `backend default {{…}}` to replace")
    vcl = vcl.replace("import xkey;", "import xkey;\nimport directors;")
    return backend.sub(lambda _: director_vcl(nodes), vcl, count=1)


# --- Processes ----------------------------------------------------------------------------


class Server:
    """A process of ours in a process group of its own, so that killing it kills every
    child too (a gunicorn node's workers), as the loss of its machine would."""

    def __init__(self, name, command, *, cwd, env, log_path):
        self.name, self.command, self.cwd, self.env = name, command, cwd, env
        self.log_path, self.process = log_path, None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    def kill(self):
        self._signal(signal.SIGKILL)

    def stop(self):
        self._signal(signal.SIGTERM, wait=30)

    def _signal(self, number, wait=10):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, number)
            self.process.wait(timeout=wait)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def app_node(name, port, env, scratch, workers):
    """A gunicorn node started in a directory of its own: nothing it needs may come from
    its working directory, only from the code (--pythonpath) and the environment."""
    directory = scratch / name
    directory.mkdir()
    command = [GUNICORN, "newsroom.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", "60", "--log-level", "warning"]
    # The master loads the application once and forks its workers ready (newsroom/wsgi.py):
    # a node started again serves its first pages without each worker's start-up.
    command += ["--preload"]
    command += ["--chdir", str(directory), "--pythonpath", str(ROOT)]
    # Each request's path and the microseconds its worker spent on it (not its wait in
    # the node's queue, which Varnish's timing of the same request includes).
    command += ["--access-logfile", str(scratch / f"{name}.access")]
    command += ["--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
    return Server(name, command, cwd=directory, env=env, log_path=scratch / f"{name}.log")


def task_worker(env, scratch):
    directory = scratch / "worker"
    directory.mkdir()
    command = [PYTHON, str(ROOT / "manage.py"), "db_worker", "--interval", "0.5"]
    return Server("worker", command, cwd=directory, env=env, log_path=scratch / "worker.log")


def varnish(vcl_path, port, scratch):
    binary = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not Path(binary).exists():
        sys.exit("varnishd is not installed (apt-get install varnish varnish-modules)")
    command = [binary, "-F", "-j", "none", "-a", f"127.0.0.1:{port}", "-f", str(vcl_path)]
    command += ["-n", str(scratch / "varnish"), "-s", "malloc,128m", "-T", "none"]
    return Server("varnish", command, cwd=scratch, env=None, log_path=scratch / "varnish.log")


def backend_log(scratch):
    """varnishncsa writing every request Varnish sent to a node: when it began (seconds
    since the epoch), the method, the path, the status and the seconds to its first byte
    (its wait in the node's queue and its render)."""
    binary = shutil.which("varnishncsa") or "/usr/bin/varnishncsa"
    fields = "%{VSL:Timestamp:Start[1]}x %m %U %s %{Varnish:time_firstbyte}x"
    command = [binary, "-b", "-n", str(scratch / "varnish"), "-F", fields]
    command += ["-w", str(scratch / "backend.log")]
    return Server("varnishncsa", command, cwd=scratch, env=None, log_path=scratch / "ncsa.log")


def purge_log(scratch):
    """varnishncsa writing each purge Varnish answered: when, and what it says it did
    ("Purged 3 objects", "Soft-purged 2 objects")."""
    binary = shutil.which("varnishncsa") or "/usr/bin/varnishncsa"
    fields = "%{VSL:Timestamp:Start[1]}x %{VSL:RespReason}x"
    command = [binary, "-c", "-n", str(scratch / "varnish"), "-q", 'ReqMethod eq "PURGE"']
    command += ["-F", fields, "-w", str(scratch / "purge.log")]
    return Server("purges", command, cwd=scratch, env=None, log_path=scratch / "ncsa2.log")


def purges_answered(scratch, began, ended):
    """{"Purged": [objects dropped by each], "Soft-purged": […]} in the run."""
    path = scratch / "purge.log"
    dropped = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        match = re.fullmatch(r"([\d.]+) (\S+) (\d+) objects", line.strip())
        if match and began <= float(match[1]) <= ended:
            dropped.setdefault(match[2], []).append(int(match[3]))
    return dropped


def print_purges(dropped):
    for kind, counts in sorted(dropped.items()):
        print(
            f"- Varnish: {len(counts)} purges answered “{kind}”, "
            f"{sum(counts):,} objects in all, at most {max(counts)} at once"
        )


def request_kind(method, path):
    """What a request to a node was, for the table of what the nodes were asked for."""
    if path.startswith("/admin/"):
        return f"admin {method}"
    if path.startswith("/fragments/appeal-box/"):
        return "appeal box"
    for prefix, kind in (("/articles/", "article"), ("/organisations/", "organisation")):
        if path.startswith(prefix):
            return kind
    if path.startswith("/search"):
        return "search"
    return "front" if path == "/" else "other"


def backend_requests(scratch, began, ended):
    """[(kind, seconds to first byte)] of the requests Varnish sent to the nodes in the
    run."""
    path = scratch / "backend.log"
    rows = []
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            start, method, url, _status, firstbyte = line.split()
            start, firstbyte = float(start), float(firstbyte)
        except ValueError:
            continue
        if began <= start <= ended:
            rows.append((request_kind(method, url), firstbyte))
    return rows


def access_log_sizes(scratch):
    return {path: path.stat().st_size for path in scratch.glob("node-*.access")}


def node_requests(scratch, skipped):
    """[(kind, seconds a gunicorn worker spent)] from both nodes' access logs, past the
    `skipped` bytes of each (the set-up's requests)."""
    rows = []
    for path in scratch.glob("node-*.access"):
        with open(path, "rb") as log:
            log.seek(skipped.get(path, 0))
            lines = log.read().decode(errors="replace").splitlines()
        for line in lines:
            try:
                method, url, _status, micros = line.split()
            except ValueError:
                continue
            rows.append((request_kind(method, url), int(micros) / 1e6))
    return rows


def print_backend_table(backend, worked, seconds):
    """Per kind: how often Varnish asked a node, how long it waited for the first byte,
    and how long a gunicorn worker spent on it; the difference is the node's queue."""
    print(
        "\nWhat Varnish asked the nodes for (first byte: as Varnish waited, queue included; "
        "worker: the gunicorn worker's own time, whole run):\n"
    )
    print(
        "| kind | fetches | per s | first byte p50 ms | p95 ms | worker p50 ms | p95 ms "
        "| worker s total |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    kinds = sorted({kind for kind, _ in backend} | {kind for kind, _ in worked})
    for kind in kinds:
        waits = [s * 1000 for k, s in backend if k == kind]
        spent = [s * 1000 for k, s in worked if k == kind]
        print(
            f"| {kind} | {len(waits)} | {len(waits) / seconds:.1f} | "
            f"{percentile(waits, 0.5):,.0f} | {percentile(waits, 0.95):,.0f} | "
            f"{percentile(spent, 0.5):,.0f} | {percentile(spent, 0.95):,.0f} | "
            f"{sum(spent) / 1000:,.1f} |"
        )


def wait_until_tasks_done(timeout=300):
    """Until the worker has run every task written so far (the set-up's purges)."""
    from django.db import connections
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    pending = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    while DBTaskResult.objects.filter(status__in=pending).exists():
        if time.monotonic() > deadline:
            sys.exit(f"the worker left tasks undone after {timeout} s")
        time.sleep(0.5)
    connections.close_all()


# --- The edit watcher ----------------------------------------------------------------------


@dataclass
class WatchedEdit:
    sent: float  # seconds since the run began, when the save was posted
    answered: float  # when the admin answered with its redirect (after the commit)
    seen: float | None  # when a reader through Varnish first got the new headline
    polls: list = field(default_factory=list)  # (asked, answered, Varnish hit, Age, fresh)
    purged: float | None = None  # when the worker had told Django's cache and Varnish


class EditWatcher(threading.Thread):
    """Saves one article through the admin via Varnish every `every` seconds and reads
    its page via Varnish (no cookie, as a reader) until the new headline shows. Before
    each save the page is read once, so Varnish holds the old version."""

    def __init__(self, port, username, article, slug, clock, *, every, give_up=60):
        super().__init__(daemon=True)
        self.editor, self.reader = Browser(port, timeout=30), Browser(port, timeout=30)
        self.username, self.article, self.path = username, article, f"/articles/{slug}/"
        self.clock, self.every, self.give_up = clock, every, give_up
        self.edits, self.acks, self.failures = [], [], []
        self.stopping = threading.Event()

    def run(self):
        saves, logged_in = 0, False
        while not self.stopping.is_set():
            started, began = time.monotonic(), self.clock()
            try:
                if not logged_in:
                    self._log_in()
                    logged_in = True
                self._save_and_watch(saves)
                saves += 1
            except (OSError, RuntimeError) as error:
                self.failures.append(f"from {began:.1f} s to {self.clock():.1f} s: {error}")
            self.stopping.wait(max(self.every - (time.monotonic() - started), 0))

    def _log_in(self):
        status, page = self.editor.request("/admin/login/")
        if status != 200:
            raise RuntimeError(f"the login form answered {status}: {page[:200]!r}")
        fields = login_fields(page, self.username, PASSWORD)
        status, _ = self.editor.request("/admin/login/", fields)
        if status != 302:
            raise RuntimeError(f"log in answered {status}")

    def _save_and_watch(self, number):
        # Varnish holds the page after this read, if the last watch's reads left it out.
        self.reader.request(self.path)
        url = f"/admin/articles/article/{self.article}/change/"
        status, page = self.editor.request(url)
        if status != 200:
            raise RuntimeError(f"the change form answered {status}")
        fields, marker, headline = edited_article(page, f"{self.username} save {number}")
        sent = self.clock()
        status, _ = self.editor.request(url, fields)
        if status != 302:
            raise RuntimeError(f"the save answered {status}")
        edit = WatchedEdit(sent=sent, answered=self.clock(), seen=None)
        self.acks.append((marker, headline))
        self.edits.append(edit)
        deadline = time.monotonic() + self.give_up
        while time.monotonic() < deadline:
            asked = self.clock()
            status, page = self.reader.request(self.path)
            got = self.clock()
            fresh = status == 200 and headline in page
            headers = self.reader.headers or {}
            edit.polls.append(
                (asked, got, headers.get("X-Varnish-Cache"), headers.get("Age"), fresh)
            )
            if fresh:
                edit.seen = got
                return
            time.sleep(0.05)


# --- Replication lag, sampled during the run ------------------------------------------------


class LagSampler:
    """How far the replica's replay is behind the primary's WAL, in bytes, once a second."""

    def __init__(self, primary_url, replica):
        import psycopg

        parts = urlparse(primary_url)
        self.primary = psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            dbname="postgres",
            autocommit=True,
        )
        self.replica = replica.connect()
        self.samples, self.last = [], 0.0

    def __call__(self, elapsed):
        if elapsed - self.last < 1:
            return
        self.last = elapsed
        (lsn,) = self.primary.execute("SELECT pg_current_wal_lsn()").fetchone()
        (behind,) = self.replica.execute(
            "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", [lsn]
        ).fetchone()
        self.samples.append(max(int(behind), 0))

    def close(self):
        self.primary.close()
        self.replica.close()


def warm_up(port, site, threads=6):
    """Read every article and organisation page and the front page once through Varnish,
    so the run starts with the cache of a site that has been up for a while."""
    paths = ["/"] + [f"/articles/{slug}/" for slug in site.articles]
    paths += [f"/organisations/{slug}/" for slug in site.organisations]
    reader = Browser(port, timeout=120)
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(lambda path: reader.request(path)[0], paths))
    if any(status != 200 for status in statuses):
        sys.exit(f"warming the cache: {len(paths) - statuses.count(200)} pages failed")
    return len(paths)


def first_task_after(moment):
    """When the first task finished after `moment` (seconds since the epoch): a restarted
    worker is at work from then on."""
    from datetime import UTC, datetime

    from django_tasks_db.models import DBTaskResult

    after = datetime.fromtimestamp(moment, UTC)
    first = DBTaskResult.objects.filter(finished_at__gte=after).order_by("finished_at").first()
    return first.finished_at.timestamp() if first else float("nan")


def purges_of(key, began):
    """When each purge task naming `key` was written and finished, in seconds since
    `began`: [(enqueued, finished or None, cache name)]."""
    from datetime import UTC, datetime

    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(
        task_path__endswith=".purge_cache", enqueued_at__gte=datetime.fromtimestamp(began, UTC)
    ).values_list("enqueued_at", "finished_at", "args_kwargs")
    return [
        (enqueued.timestamp() - began, finished and finished.timestamp() - began, args[0])
        for enqueued, finished, args_kwargs in rows
        if key in (args := args_kwargs["args"])[1]
    ]


def record_purges(edits, purges):
    """Each edit's purged time: when the last of the purge tasks its save wrote finished
    (None while one is unfinished)."""
    for edit in edits:
        mine = [p for p in purges if edit.sent - 0.5 <= p[0] <= edit.answered + 0.5]
        finished = [p[1] for p in mine]
        if mine and None not in finished:
            edit.purged = max(finished)


def replica_transactions(replica, database):
    """Transactions the replica has run in the site's database (the readers' pages)."""
    with replica.connect() as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            [database],
        ).fetchone()
    return row[0] if row else 0


# --- The run --------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--readers", type=int, default=64)
    parser.add_argument("--editors", type=int, default=4)
    parser.add_argument("--staff", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per node")
    parser.add_argument("--demo-articles", type=int, default=300)
    parser.add_argument("--node-kill-at", type=float, default=15)
    parser.add_argument("--node-down-for", type=float, default=10)
    parser.add_argument("--worker-kill-at", type=float, default=35)
    parser.add_argument("--worker-down-for", type=float, default=6)
    parser.add_argument("--watch-every", type=float, default=3, help="seconds between edits")
    parser.add_argument(
        "--task-lease-seconds",
        type=float,
        default=5,
        help="the worker's TASK_LEASE_SECONDS: a task it was running when killed runs "
        "again this long after it began (purges are idempotent)",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE,
        help="a PostgreSQL database to create and drop (its name must start with newsroom_)",
    )
    args = parser.parse_args()
    node_back = args.node_kill_at + args.node_down_for
    worker_back = args.worker_kill_at + args.worker_down_for
    if not 5 <= args.seconds <= 3600 or max(node_back, worker_back) >= args.seconds:
        sys.exit("--seconds must be 5–3600, and both faults must end inside the run")
    if not args.database_url.startswith("postgres"):
        sys.exit("the soak needs PostgreSQL (--database-url postgres://…/newsroom_…)")
    database = urlparse(args.database_url).path.lstrip("/")

    with ExitStack() as stack:
        scratch = stack.enter_context(scratch_directory())
        url = stack.enter_context(fresh_database(args.database_url, scratch))
        print("Copying the cluster for the replica…", file=sys.stderr)
        replica = StreamingReplica()
        replica.create()
        stack.callback(replica.remove)
        redis = PrivateRedis(scratch)
        redis.start()
        stack.callback(redis.stop)

        varnish_port, ports = free_port(), {"node-a": free_port(), "node-b": free_port()}
        env = site_env(url, scratch, redis_url=redis.url)
        env.update(
            DATABASE_REPLICA_URLS=replica.url(database),
            FRONTEND_CACHE_URLS=f"http://127.0.0.1:{varnish_port}/",
            # One media directory for every node (site_env's), as on shared storage.
            MEDIA_ROOT=str(scratch / "media"),
        )
        print("Building the site…", file=sys.stderr)
        site = prepare_site(
            env,
            demo_articles=args.demo_articles,
            editors=args.editors + 1,  # the last one is the watcher's
            staff=args.staff,
        )
        watcher_name = site.users["editor"].pop()
        watched_pk = site.editor_articles.pop()
        site.reader_kinds = READER_KINDS
        from articles.models import Article

        watched_slug = Article.objects.get(pk=watched_pk).slug

        vcl_path = scratch / "newsroom.vcl"
        vcl_path.write_text(
            vcl_for_nodes([(name.replace("-", "_"), "127.0.0.1", p) for name, p in ports.items()])
        )
        front = varnish(vcl_path, varnish_port, scratch)
        fetches, purges = backend_log(scratch), purge_log(scratch)
        nodes = {
            name: app_node(name, port, env, scratch, args.workers) for name, port in ports.items()
        }
        worker = task_worker(env | {"TASK_LEASE_SECONDS": str(args.task_lease_seconds)}, scratch)
        for server in [*nodes.values(), worker, front]:
            server.start()
            stack.callback(server.stop)
        for port in [*ports.values(), varnish_port]:
            wait_for(port, timeout=120)
        for log in (fetches, purges):
            log.start()
            stack.callback(log.stop)
        print("Waiting for the worker to run the set-up's tasks…", file=sys.stderr)
        wait_until_tasks_done()
        replica.wait_for("replay")
        site.port = varnish_port
        print("Reading every page once through Varnish…", file=sys.stderr)
        warmed = warm_up(varnish_port, site)
        replica_before = replica_transactions(replica, database)

        killed = nodes["node-a"]
        node_fault = Fault(args.node_kill_at, killed.kill, killed.start, node_back)
        worker_fault = Fault(args.worker_kill_at, worker.kill, worker.start, worker_back)
        lag = LagSampler(url, replica)
        stack.callback(lag.close)
        watcher = began = None

        def during(elapsed):
            nonlocal watcher, began
            if watcher is None:
                began = time.time() - elapsed
                watcher = EditWatcher(
                    varnish_port,
                    watcher_name,
                    watched_pk,
                    watched_slug,
                    lambda: time.time() - began,
                    every=args.watch_every,
                )
                watcher.start()
            node_fault(elapsed)
            worker_fault(elapsed)
            lag(elapsed)

        print(f"Running Locust for {args.seconds} s…", file=sys.stderr)
        setup_requests = access_log_sizes(scratch)
        results, acks = run_locust(
            site, seconds=args.seconds, readers=args.readers, scratch=scratch, during=during
        )
        watcher.stopping.set()
        watcher.join(timeout=watcher.give_up + 60)
        if watcher.acks:
            acks.edits.setdefault(watched_pk, []).extend(watcher.acks)
        served_by_replica = replica_transactions(replica, database) - replica_before
        worker_ready = first_task_after(began + worker_fault.repaired) - began
        record_purges(watcher.edits, purges_of(f"article-{watched_pk}", began))
        logs = {server.name: server.log() for server in [*nodes.values(), worker]}
        fetches.stop()
        purges.stop()
        backend = backend_requests(scratch, began, began + args.seconds)
        dropped = purges_answered(scratch, began, began + args.seconds)
        worked = node_requests(scratch, setup_requests)
        ok, report = check_nothing_lost(acks)

    passed = report_run(args, results, watcher, node_fault, worker_fault, worker_ready, logs)
    print_backend_table(backend, worked, args.seconds)
    print_purges(dropped)
    print(f"- before the run, {warmed} pages were read once through Varnish (a warm cache)")
    print(f"- replica: {served_by_replica:,} transactions in {database} during the run; ", end="")
    print(f"replay behind the primary at most {max(lag.samples, default=0):,} bytes")
    for line in report:
        print(f"- {line}")
    print(f"\n{'PASS' if ok else 'FAIL'}: every acknowledged write present, the total exact")
    for line, good in passed:
        print(f"{'PASS' if good else 'FAIL'}: {line}")
    sys.exit(0 if ok and all(good for _, good in passed) else 1)


def why_late(edit):
    """What the reader got between an edit's save and its new headline."""
    after = [poll for poll in edit.polls if poll[0] >= edit.purged]
    stale_hits = [poll for poll in after if not poll[4] and poll[2] == "HIT"]
    stale_misses = [poll for poll in after if not poll[4] and poll[2] != "HIT"]
    reads = ", ".join(
        f"{asked:.2f}+{got - asked:.2f} {hit or '?'}{' new' if fresh else ''}"
        for asked, got, hit, _, fresh in edit.polls[:6]
    )
    return (
        f"edit answered at {edit.answered:.2f} s, purged at {edit.purged:.2f} s: then "
        f"{len(stale_hits)} old pages from Varnish's cache and {len(stale_misses)} old pages "
        f"fetched from a node; reads (asked+took): {reads}" + (" …" if len(edit.polls) > 6 else "")
    )


def report_run(args, results, watcher, node_fault, worker_fault, worker_ready, logs):
    """Print the tables; return the oracle's other lines as (text, passed)."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n### Soak: 2 nodes × {args.workers} gunicorn workers behind Varnish, PostgreSQL "
        f"primary + streaming replica, Redis, 1 worker; {args.readers} readers + "
        f"{args.editors} editors + {args.staff} staff, {args.seconds} s\n"
    )
    print(
        f"Node A killed at {node_fault.injected:.1f} s, started again at "
        f"{node_fault.repaired:.1f} s; the worker killed at {worker_fault.injected:.1f} s, "
        f"started again at {worker_fault.repaired:.1f} s (TASK_LEASE_SECONDS "
        f"{args.task_lease_seconds:g}). Load average at the end: {load}.\n"
    )
    print_table(results, args.seconds)
    timeline(results)

    killed_at = node_fault.injected
    reads = [r for r in results if r.kind in READER_KINDS]
    in_flight = [r for r in reads if r.started <= killed_at <= r.started + r.seconds]
    errors_in_flight = sum(not r.ok for r in in_flight)
    errors_beyond = sum(not r.ok for r in reads) - errors_in_flight
    writes = [r for r in results if r.kind not in READER_KINDS]
    print()
    print(
        f"- reader requests in flight when node A was killed: {len(in_flight)}, failed "
        f"{errors_in_flight}; reader errors at any other time: {errors_beyond}"
    )
    hits = sum(r.edge == "HIT" for r in reads)
    print(f"- reader pages from Varnish's cache: {hits / max(len(reads), 1):.0%}")
    print(f"- writer (admin) requests that failed: {sum(not r.ok for r in writes)}")
    for detail, count in error_summary(results):
        print(f"- error: {detail} × {count}")
    for name, log in logs.items():
        server_errors = log.count("Internal Server Error")
        purge_errors = log.count("Could not purge")
        if server_errors or purge_errors:
            print(f"- {name}'s log: {server_errors} server errors, {purge_errors} failed purges")

    outage = (worker_fault.injected, worker_fault.repaired)
    normal, during_outage = [], []
    for edit in watcher.edits:
        # Saved while no worker ran, or before the kill but not yet purged by the worker
        # that died: its purge waits for the new worker.
        hit = edit.answered < outage[1] and (edit.purged is None or edit.purged > outage[0])
        (during_outage if hit else normal).append(edit)
    print(
        f"\nEdits through the admin via Varnish, then read via Varnish (every "
        f"{args.watch_every:g} s; seconds from the save's answer to the new headline):\n"
    )
    print(
        "| saved | edits | max s | p95 s | over 2 s | never seen | save took max s "
        "| purged after max s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, edits in (
        ("while a worker ran", normal),
        ("while the worker was down", during_outage),
    ):
        delays = [e.seen - e.answered for e in edits if e.seen is not None]
        print(
            f"| {label} | {len(edits)} | {max(delays, default=0):.2f} | "
            f"{percentile(delays, 0.95):.2f} | {sum(d > EDIT_DEADLINE for d in delays)} | "
            f"{sum(e.seen is None for e in edits)} | "
            f"{max((e.answered - e.sent for e in edits), default=0):.2f} | "
            f"{max((e.purged - e.answered for e in edits if e.purged), default=0):.2f} |"
        )
    late_reasons = []
    print("\nEach edit (seconds since the run began; purged: the worker finished telling")
    print("Django's cache and Varnish):\n")
    print("| sent | answered | purged | seen | from answer to seen |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for edit in watcher.edits:
        purged = f"{edit.purged:.2f}" if edit.purged is not None else "never"
        seen = f"{edit.seen:.2f}" if edit.seen is not None else "never"
        delay = f"{edit.seen - edit.answered:.2f}" if edit.seen is not None else "—"
        print(f"| {edit.sent:.2f} | {edit.answered:.2f} | {purged} | {seen} | {delay} |")
        late = edit.seen is None or edit.seen - edit.answered > EDIT_DEADLINE
        if late and edit.purged is not None:
            late_reasons.append(why_late(edit))
    print()
    for reason in late_reasons:
        print(f"- {reason}")
    after_restart = [e.seen - max(e.answered, outage[1]) for e in during_outage if e.seen]
    print(
        f"\n- edits saved while the worker was down were seen "
        f"{', '.join(f'{d:.2f}' for d in after_restart) or '(none)'} s after it was started "
        f"again; it finished its first task {worker_ready - outage[1]:.2f} s after it was "
        "started (its boot)"
    )
    for failure in watcher.failures:
        print(f"- watcher: {failure}")

    late = [e for e in normal if e.seen is None or e.seen - e.answered > EDIT_DEADLINE]
    return [
        (
            f"no reader error beyond the {errors_in_flight} in flight on the killed node "
            f"({errors_beyond} others)",
            errors_beyond == 0,
        ),
        (
            f"every edit saved while a worker ran visible through Varnish within "
            f"{EDIT_DEADLINE:g} s ({len(late)} of {len(normal)} late)",
            bool(normal) and not late,
        ),
        (
            "every edit saved while the worker was down visible once it was back "
            f"({sum(e.seen is None for e in during_outage)} never seen)",
            all(e.seen is not None for e in during_outage),
        ),
    ]


if __name__ == "__main__":
    main()
