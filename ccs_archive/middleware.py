"""
Small middleware of our own: a request log line, the Permissions-Policy
header, and a 503 when the database is unavailable.
"""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from .replicas import retry_on_primary

request_logger = logging.getLogger("ccs_archive.requests")
database_logger = logging.getLogger("ccs_archive.database")


def request_log(get_response):
    """Log each request as one structured line: method, path, status, duration."""

    def middleware(request):
        started = time.perf_counter()
        response = get_response(request)
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    return middleware


def permissions_policy(get_response):
    """Turn off browser features the archive never uses."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY_HEADER)
        return response

    return middleware


# Seconds a client is asked to wait before trying again after a 503.
UNAVAILABLE_RETRY_AFTER = 30


def service_unavailable(request):
    """The 503 answer: JSON under /api/, a page in both languages elsewhere."""
    if request.path.startswith("/api/"):
        from meetings.open_data.api import error_response, with_cors

        response = with_cors(
            error_response(
                503,
                "service_unavailable",
                _("The archive is busy or its database cannot be reached. Please try again shortly."),
            )
        )
    else:
        # No request context: the page must render without the database.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """
    A database that is down, or a statement cancelled by its time limit,
    gives a 503 that says so and asks to come back, not a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if request.resolver_match:
            # A replica that failed: the primary answers instead.
            match = request.resolver_match
            try:
                retried = retry_on_primary(request, match.func, match.args, match.kwargs)
            except (OperationalError, InterfaceError):
                retried = None
            if retried is not None:
                return retried
        database_logger.error(
            "database unavailable",
            extra={"path": request.path, "error": type(exception.__cause__ or exception).__name__},
        )
        return service_unavailable(request)
