"""
Rate limits per client address, on what costs the database most: search
(pages and feeds), the API, downloads and the admin's sign-in.

Counters live in the shared cache (Redis when ``REDIS_URL`` is set), through
django-ratelimit, so every worker and instance counts together. Limits are
settings (``RATE_LIMITS``, see the README). A client past its limit gets a
429 in its language, with ``Retry-After``. When the cache cannot be reached
the limit is not applied, and that is logged: the archive stays readable.
"""

import logging

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from .client_address import ratelimit_key

logger = logging.getLogger("ccs_archive.rate_limits")


def limit_group(request, view_name):
    """Which of the ``RATE_LIMITS`` a request counts against, or None."""
    if view_name in ("meetings:search", "meetings:search_feed"):
        return "search"
    if view_name in ("meetings:export_csv", "meetings:export_json"):
        return "exports"
    if view_name == "admin:login":
        # Each attempt costs a password hash, even for a username that does not exist.
        return "login" if request.method == "POST" else None
    if request.path.startswith("/api/"):
        return "api"
    return None


def too_many_requests(request, retry_after):
    if request.path.startswith("/api/"):
        from meetings.open_data.api import error_response, with_cors

        message = _("Too many requests from your address. Please wait before trying again.")
        response = with_cors(error_response(429, "too_many_requests", message))
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        group = limit_group(request, match.view_name if match else "")
        rate = settings.RATE_LIMITS.get(group) if group else None
        if not rate:
            return None
        try:
            usage = get_usage(request, group=group, key=ratelimit_key, rate=rate, increment=True)
        except Exception:
            # Fail open: a cache outage must not take the archive down with it.
            logger.warning("rate limit not applied: the cache is unavailable", exc_info=True)
            return None
        if usage and usage["should_limit"]:
            return too_many_requests(request, max(1, int(usage["time_left"])))
        return None
