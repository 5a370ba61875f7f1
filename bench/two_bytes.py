"""The reference the HTTP benchmark's goals were set against: a Django view that returns
two bytes and touches no database, behind the middleware `startproject` sets up.

`http_bench.py` serves it with the same gunicorn settings as the site and measures it
in every round beside the site's pages. What it reaches is the most any Python-per-request
page can reach on that machine at that minute, so the site's figures can be set against
the issue's ("about 4,300 here") on a machine that is slower or busier than the one the
goals were measured on.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1"],
    SECRET_KEY="two-bytes-" + "x" * 50,  # signs nothing: the view sets no cookie
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
    ],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    DATABASES={},
)


def two_bytes(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("", two_bytes)]
application = get_wsgi_application()
