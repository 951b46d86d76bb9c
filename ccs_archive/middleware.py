"""Small middleware of our own: a request log line, and the Permissions-Policy header."""

import logging
import time

from django.conf import settings

request_logger = logging.getLogger("ccs_archive.requests")


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
