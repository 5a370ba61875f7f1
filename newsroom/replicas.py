"""Reader pages read a PostgreSQL replica; everything else reads and writes the primary.

`ReplicaMiddleware` decides per request: a GET or HEAD of a page outside the admin reads a
replica that answers and is not too far behind (`replica_health`), unless the client is
pinned to the primary. `ReplicaRouter` applies that choice to every query of the request
and sends every write to the primary. A request that wrote pins its client to the primary
for `REPLICA_PIN_SECONDS` (a cookie), so an editor who saves sees the save on the pages
that follow, however far the replica is behind. Outside a request (commands, workers,
tests of models) everything uses the primary.
"""

import contextvars
import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
PIN_COOKIE = "read_primary"
_READ_ONLY_METHODS = ("GET", "HEAD")

# How far a replica is behind, in seconds: 0 when it has replayed everything it received
# (an idle primary sends nothing, and the last replayed commit may be old), else the age
# of the last commit it replayed. 0 for a server that is not replaying at all.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


@dataclass
class _Routing:
    read_from: str | None = None
    wrote: bool = False


# One per request, set by the middleware; None outside requests (everything on the primary).
_routing = contextvars.ContextVar("replica_routing", default=None)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        routing = _routing.get()
        return routing.read_from if routing else None

    def db_for_write(self, model, **hints):
        routing = _routing.get()
        if routing is not None:
            # The rest of this request, and the client's next ones, read what it wrote.
            routing.read_from = None
            routing.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # A replica holds the primary's rows: an object read from it may be linked to one
        # saved on the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db in settings.DATABASE_REPLICAS else None


class ReplicaHealth:
    """Whether each replica may serve readers: asked at most once per
    `REPLICA_HEALTH_SECONDS` in each process, with the connection's short connect timeout."""

    def __init__(self):
        self._answers = {}  # alias -> (time.monotonic() when asked, usable)

    def usable(self, alias):
        asked = self._answers.get(alias)
        if asked and time.monotonic() - asked[0] < settings.REPLICA_HEALTH_SECONDS:
            return asked[1]
        usable = self._ask(alias)
        self._answers[alias] = (time.monotonic(), usable)
        return usable

    def mark_down(self, alias):
        self._answers[alias] = (time.monotonic(), False)

    def forget(self):
        self._answers.clear()

    def _ask(self, alias):
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute(LAG_SQL)
                (lag,) = cursor.fetchone()
        except DatabaseError as error:
            logger.warning("Replica %s is unreachable, readers use the primary: %s", alias, error)
            close_quietly(alias)
            return False
        if lag > settings.REPLICA_MAX_LAG_SECONDS:
            logger.warning("Replica %s is %.1f s behind, readers use the primary", alias, lag)
            return False
        return True


replica_health = ReplicaHealth()


def close_quietly(alias):
    try:
        connections[alias].close()
    except DatabaseError:
        pass  # a connection to a server that is gone cannot be closed cleanly


def usable_replica():
    """A replica that answers and is not too far behind, or None for the primary."""
    replicas = list(settings.DATABASE_REPLICAS)
    random.shuffle(replicas)  # spread the readers over the replicas
    return next((alias for alias in replicas if replica_health.usable(alias)), None)


def wait_for_replay(timeout):
    """Wait until every replica has replayed what the primary has written so far, or
    `timeout` seconds; a replica that cannot be reached is not waited for (readers do
    not use it). For purges: a purge sent before a replica has a change lets a reader's
    page be rendered anew from that replica without it, and cached again until the next
    purge. Returns the aliases still behind when it gave up."""
    if not settings.DATABASE_REPLICAS:
        return []
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (written,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    behind = list(settings.DATABASE_REPLICAS)
    while behind:
        behind = [alias for alias in behind if not _has_replayed(alias, written)]
        if not behind or time.monotonic() >= deadline:
            break
        time.sleep(0.01)
    for alias in behind:
        logger.warning("Replica %s still behind after %.1f s; purging anyway", alias, timeout)
    return behind


def _has_replayed(alias, position):
    try:
        with connections[alias].cursor() as cursor:
            # NULL from a server that is not replaying (a primary): nothing to wait for.
            cursor.execute(
                "SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [position]
            )
            return cursor.fetchone()[0]
    except DatabaseError:
        close_quietly(alias)
        return True


def _is_reader_page(request):
    match = request.resolver_match
    return request.method in _READ_ONLY_METHODS and match.namespace != "admin"


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        routing = _Routing()
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if routing.wrote:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if settings.DATABASE_REPLICAS and _is_reader_page(request):
            if PIN_COOKIE not in request.COOKIES:
                _routing.get().read_from = usable_replica()
        request.replica_view = (view_func, view_args, view_kwargs)

    def process_exception(self, request, exception):
        """A replica lost in the middle of a page: the page is read again from the primary
        (it is a GET: reading twice changes nothing) rather than shown as an error."""
        routing = _routing.get()
        alias = routing.read_from if routing else None
        if alias is None or not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Replica %s failed during a page, read it from the primary", alias)
        replica_health.mark_down(alias)
        close_quietly(alias)
        routing.read_from = None
        view_func, view_args, view_kwargs = request.replica_view
        return view_func(request, *view_args, **view_kwargs)
