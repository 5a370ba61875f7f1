"""Newsroom settings: every deploy setting comes from the environment.

Safe local defaults let `make run` work with no configuration; production (DEBUG off)
refuses to start without a real SECRET_KEY.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = Path(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    # Written by `make serve` with a random SECRET_KEY; real deployments set the
    # environment instead. Values already in the environment win.
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (len(SECRET_KEY) < 40 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or too weak: set a random value of 40+ characters "
        "(or DEBUG=1 for local development)."
    )
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The newsroom's admin site: the stock admin with a dashboard as its index page.
    "articles.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "taggit",
    "reversion",
    # The article body's rich-text editor: only its static files (the Tiptap bundle);
    # the widget is ours (articles/admin/widgets.py).
    "django_prose_editor",
    "csp",
    "axes",
    # Only for its templates and static files: the API docs page is served from here,
    # never from a CDN (without the app in this list django-ninja links to one).
    "ninja",
    # Before django_tasks_db: its `db_worker` command is articles' own, which also puts
    # back the tasks of a worker that died (articles/management/commands/db_worker.py).
    "articles",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every page, and 304 Not Modified when the reader's copy is current.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cached reader pages are served from here, before the middleware below runs.
    "articles.caching.pages.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Reader pages read a replica; a client that just wrote reads the primary.
    "newsroom.replicas.ReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a lockout into its own page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an editor or a donation write commits; the busy
    # timeout makes a second writer wait instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # A 32 MiB page cache per connection (the default is 2 MiB) keeps the indexes
            # the reader pages walk in memory at 100,000 articles, not re-read per request.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;"
            ),
        }
    )
# Keep each worker's connection: opening one costs more than a simple page's queries
# (SQLite registers Django's functions and sets its pragmas on every connect).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# PostgreSQL streaming replicas for reader pages (newsroom/replicas.py): comma-separated
# URLs, none by default. The admin, every write, and a client that wrote within
# REPLICA_PIN_SECONDS read the primary; so do readers while a replica is down (asked with
# a connect timeout of REPLICA_CONNECT_TIMEOUT s, libpq's least is 2) or more than
# REPLICA_MAX_LAG_SECONDS behind. Each process asks at most every REPLICA_HEALTH_SECONDS.
DATABASE_REPLICAS = []
for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    replica = env.db_url_config(url)
    replica["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    replica["CONN_HEALTH_CHECKS"] = True
    replica.setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "REPLICA_CONNECT_TIMEOUT", default=2
    )
    # The test runner makes no database on a replica: it reads the primary's test one.
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{number}"] = replica
    DATABASE_REPLICAS.append(f"replica_{number}")
DATABASE_ROUTERS = ["newsroom.replicas.ReplicaRouter"]
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_HEALTH_SECONDS = env.float("REPLICA_HEALTH_SECONDS", default=2.0)
# A purge waits (at most this long) until every replica has replayed what the primary had
# written when the purge began: sent sooner, it could have a page rendered anew from a
# replica without the change, and cached again. Workers need DATABASE_REPLICA_URLS for it.
PURGE_REPLICA_WAIT_SECONDS = env.float("PURGE_REPLICA_WAIT_SECONDS", default=5.0)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # A cache outage must never reach a reader: fall back to the database.
                "IGNORE_EXCEPTIONS": True,
                # Redis answers in well under a millisecond; a stopped one never does,
                # and each cache call waits this long for it before the breaker opens.
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
                # After a failed call the cache is not asked for this long (newsroom/cache.py).
                "REDIS_CLIENT_CLASS": "newsroom.cache.CircuitBreakerRedis",
                "REDIS_CLIENT_KWARGS": {
                    "circuit_breaker_seconds": env.float("REDIS_CIRCUIT_BREAKER_SECONDS", 30.0)
                },
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # Not the local-memory cache: `make serve` runs two gunicorn workers, and a purge
    # must reach the pages both of them cached. Files are shared by every process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.path("CACHE_DIR", default=BASE_DIR / "var" / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Reader pages are cached for this long at most (Django's cache and, as s-maxage, any
# HTTP cache in front); a save purges the pages that show the changed object at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Parts many pages share (the appeal box) are kept this long at most, purged the same
# way; they spare a page the cache does not hold the work they take (0 turns them off).
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=600)
# HTTP caches to purge by surrogate key (articles/caching/purging.py): Varnish with the
# xkey vmod at each of FRONTEND_CACHE_URLS (e.g. http://127.0.0.1:6081/), and a CDN that
# purges by `Surrogate-Key` at each of CDN_PURGE_URLS. Another kind of cache is one more
# entry here, with its BACKEND and the OPTIONS it takes (a CDN's method and token header).
FRONTEND_CACHE_URLS = env.list("FRONTEND_CACHE_URLS", default=[])
CDN_PURGE_URLS = env.list("CDN_PURGE_URLS", default=[])
FRONTEND_CACHE_BACKENDS = [
    *(
        {"BACKEND": "articles.caching.purging.VarnishBackend", "LOCATION": url}
        for url in FRONTEND_CACHE_URLS
    ),
    *(
        {"BACKEND": "articles.caching.purging.SurrogateKeyBackend", "LOCATION": url}
        for url in CDN_PURGE_URLS
    ),
]

# Work outside the request (articles/tasks/): purges, receipts, relinking, renditions are
# tasks, each a row written in the transaction of the change that needs it, run by
# `manage.py db_worker` processes. A failed task is tried again after TASK_RETRY_SECONDS,
# doubling each time up to TASK_RETRY_MAX_SECONDS, and parked (left failed, with its error,
# in the admin) after TASK_MAX_ATTEMPTS. A task still running TASK_LEASE_SECONDS after it
# started is deemed lost with its worker (killed, its machine gone) and run again.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="articles.tasks.backends.NotifyingDatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=8)
TASK_RETRY_SECONDS = env.float("TASK_RETRY_SECONDS", default=10.0)
TASK_RETRY_MAX_SECONDS = env.float("TASK_RETRY_MAX_SECONDS", default=3600.0)
TASK_LEASE_SECONDS = env.float("TASK_LEASE_SECONDS", default=300.0)
# Workers delete finished tasks' rows (articles/tasks/pruning.py): successful ones after a
# week, parked ones after three months, looking once an hour.
TASK_KEEP_DAYS = env.int("TASK_KEEP_DAYS", default=7)
TASK_KEEP_FAILED_DAYS = env.int("TASK_KEEP_FAILED_DAYS", default=90)
TASK_PRUNE_SECONDS = env.float("TASK_PRUNE_SECONDS", default=3600.0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# In production the web server in front serves media; `make run` and `make serve` on
# 127.0.0.1 let Django do it.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
STORAGES = {
    # FileSystemStorage that never leaves a half-written upload (articles/images/storage.py).
    "default": {"BACKEND": "articles.images.storage.MediaStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # Remembering each hashed URL per process saved 0.3 M of the article page's
            # 16.7 M instructions (bench/page_instructions.py): not worth a class of ours.
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Backups keep times to the microsecond (Django's JSON rounds to the millisecond).
SERIALIZATION_MODULES = {"precise_json": "articles.precise_json"}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A little above the 20 MB image limit, so an oversized upload gets the form's clear
# message rather than a bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 26 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "Iraq" and "iraq" are one tag; "US military" typed alone is one tag, not two.
TAGGIT_CASE_INSENSITIVE = True
TAGGIT_TAGS_FROM_STRING = "articles.admin.widgets.parse_tags"

SITE_NAME = env.str("SITE_NAME", default="Newsroom")
SITE_DESCRIPTION = env.str(
    "SITE_DESCRIPTION", default="Independent reporting on conflict, security and politics."
)

# --- Security -------------------------------------------------------------------------
# Reader pages run no inline script and load nothing from another host. The admin's
# templates still carry a few style attributes, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Production is served over HTTPS (TLS ends at the proxy in front of gunicorn); each of
# these can be switched off for a plain-HTTP run on 127.0.0.1 (`make serve`).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Admin login throttling (django-axes): ten bad passwords for an account from one address
# lock that account at that address for an hour (admin/locked_out.html). Locking the
# account everywhere, or the address for everyone, would let anyone lock the editors out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address behind the proxy (articles/client_address.py): requests from
# FORWARDED_ALLOW_IPS (as gunicorn's --forwarded-allow-ips) are believed about the last
# TRUSTED_PROXY_COUNT addresses in X-Forwarded-For, one per proxy that appends to it
# (nginx, or Varnish: 1; nginx in front of Varnish: 2; 0 when nothing is in front).
# Not django-ipware (AXES_IPWARE_*): it never asks which peer sent the header, so a client
# reaching gunicorn directly would choose its own address (README, Libraries).
AXES_CLIENT_IP_CALLABLE = "articles.client_address.client_ip_address"
FORWARDED_ALLOW_IPS = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

# How long a share link for an unpublished article works unless an editor says otherwise.
SHARE_LINK_DAYS = env.int("SHARE_LINK_DAYS", default=7)
# The longest any share link may work, counted from its creation; no one can set a later
# expiry, so a forgotten link dies on its own.
SHARE_LINK_MAX_DAYS = env.int("SHARE_LINK_MAX_DAYS", default=30)

# --- Donations (articles/donations/) --------------------------------------------------
# Online giving through Stripe Checkout. Without STRIPE_SECRET_KEY the Donate button leads
# to the appeal's own donate_url or giving instructions. Only the signed webhook
# (/donate/webhook/stripe/, verified with STRIPE_WEBHOOK_SECRET) writes to the ledger.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Another Stripe-compatible server (a local one in tests); empty for Stripe itself.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
# A signed event older than this is refused: a captured delivery cannot be replayed later.
DONATION_WEBHOOK_TOLERANCE_SECONDS = env.int("DONATION_WEBHOOK_TOLERANCE_SECONDS", default=300)
# Receipts go from this address, through Django's email framework (EMAIL_* below).
DONATION_RECEIPT_FROM = env.str("DONATION_RECEIPT_FROM", default="")
# Where the donation form's POST is redirected: the CSP's form-action lets only these
# origins (and the site's own) receive it, Checkout for gifts and the customer portal.
STRIPE_REDIRECT_ORIGINS = env.list(
    "STRIPE_REDIRECT_ORIGINS",
    default=["https://checkout.stripe.com", "https://billing.stripe.com"],
)
# Checkout and portal sessions one client address may start per window (a 429 after).
DONATION_SESSION_LIMIT = env.int("DONATION_SESSION_LIMIT", default=10)
DONATION_SESSION_WINDOW_SECONDS = env.int("DONATION_SESSION_WINDOW_SECONDS", default=600)

# --- Content API (articles/api/) ------------------------------------------------------
# Requests one API key, or one client address without a key, may make per window; past
# that a 429 with Retry-After. Counted in Django's cache (Redis in production).
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=600)
API_ANONYMOUS_RATE_LIMIT = env.int("API_ANONYMOUS_RATE_LIMIT", default=60)
API_RATE_WINDOW_SECONDS = env.int("API_RATE_WINDOW_SECONDS", default=60)

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The cache's circuit breaker logs a Redis failure once, not every call it refuses.
    "filters": {"skip_circuit_open": {"()": "newsroom.cache.SkipCircuitOpen"}},
    "loggers": {"django_redis.cache": {"filters": ["skip_circuit_open"]}},
}
