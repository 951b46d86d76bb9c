"""WSGI entry point, used by gunicorn in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccs_archive.settings")

application = get_wsgi_application()

from ccs_archive.database import limit_web_statements  # noqa: E402 (needs the settings)

limit_web_statements()
