"""Redis as the cache, behind a circuit breaker.

A stopped Redis (hung, swapped out, paused) still accepts connections and never answers,
so each cache call waits its socket timeout; a page makes several. After one call fails,
the breaker fails every call at once for `circuit_breaker_seconds` (the site serves from
the database, as IGNORE_EXCEPTIONS lets it), then lets the next call try Redis again.

django-redis builds its Redis client from REDIS_CLIENT_CLASS and REDIS_CLIENT_KWARGS
(newsroom/settings.py). Each process's cache keeps one client, so each process decides
for itself, and a test that swaps the cache settings gets a breaker of its own.
"""

import logging
from time import monotonic

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class CircuitOpen(RedisConnectionError):
    """Redis was not asked: it failed a moment ago. A ConnectionError, so django-redis
    treats it as any outage (IGNORE_EXCEPTIONS)."""


class CircuitBreaker:
    def __init__(self, seconds):
        self.seconds = seconds
        self.closed_at = 0.0

    def call(self, command, *args, **kwargs):
        if monotonic() < self.closed_at:
            raise CircuitOpen(f"Redis failed less than {self.seconds} s ago; not asked")
        try:
            return command(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as error:
            self.closed_at = monotonic() + self.seconds
            logger.error("Redis failed (%s): the cache is not asked for %s s", error, self.seconds)
            raise


class CircuitBreakerRedis(Redis):
    def __init__(self, *args, circuit_breaker_seconds=30, **kwargs):
        super().__init__(*args, **kwargs)
        self.breaker = CircuitBreaker(circuit_breaker_seconds)

    def execute_command(self, *args, **options):
        return self.breaker.call(super().execute_command, *args, **options)

    def pipeline(self, transaction=True, shard_hint=None):
        # As Redis.pipeline(), with the commands sent through this client's breaker.
        pipeline = CircuitBreakerPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
        pipeline.breaker = self.breaker
        return pipeline


class CircuitBreakerPipeline(Pipeline):
    breaker = None

    def execute(self, raise_on_error=True):
        return self.breaker.call(super().execute, raise_on_error)


class SkipCircuitOpen(logging.Filter):
    """Drops django-redis's "Exception ignored" for calls the breaker refused: the
    breaker logged the failure once, and a busy site makes thousands of calls a minute."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(getattr(error, "__cause__", None), CircuitOpen)
