import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

# Every view and what it imports, loaded now rather than by each process's first request
# (about 0.2 s of CPU, seconds on a busy machine): a gunicorn worker loads this module
# before it takes requests (with --preload the master does, once, and forks its workers
# ready), so a node back from a restart serves its first pages as fast as its later ones.
# It touches neither the database nor the cache, so forked workers share no connection.
import_module(settings.ROOT_URLCONF)
