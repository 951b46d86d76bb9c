"""
Who may keep a response, and for how long: the ``Cache-Control`` policies.

Three policies, each a setting (see the README):

- ``page``: public pages, feeds, the sitemap and the API's reads. Any cache
  (the browser, the proxy in front, a CDN) may keep them for
  ``CACHE_MAX_AGE`` seconds, then serve the stale copy for up to
  ``CACHE_STALE_WHILE_REVALIDATE`` more while it fetches a fresh one, and
  for ``CACHE_STALE_IF_ERROR`` when the site cannot answer.
- ``search``: searches (pages, feeds, API searches) and downloads, kept for
  ``CACHE_SEARCH_MAX_AGE`` seconds only: they are endless and rarely asked twice.
- personal: the admin, any response that sets a cookie, and any request
  from someone signed in (or who has just written) are never stored by a
  shared cache (``PersonalResponsesMiddleware``).

Every public answer carries validators (``meetings/conditional.py``), so an
expired copy is revalidated with a 304 rather than sent again.
"""

import hashlib
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

SAFE_METHODS = ("GET", "HEAD")
# Static files have hashed names: the same for everyone, signed in or not.
STATIC_PATH = "/" + settings.STATIC_URL.lstrip("/")


def policy_directives(policy):
    """The ``Cache-Control`` directives of a policy, from the settings."""
    if policy == "search":
        max_age = settings.CACHE_SEARCH_MAX_AGE
        stale = min(settings.CACHE_STALE_WHILE_REVALIDATE, max_age)
    elif policy == "page":
        max_age = settings.CACHE_MAX_AGE
        stale = settings.CACHE_STALE_WHILE_REVALIDATE
    else:
        raise ValueError(f"no cache policy named {policy!r}")
    return {
        "public": True,
        "max_age": max_age,
        "stale_while_revalidate": stale,
        "stale_if_error": settings.CACHE_STALE_IF_ERROR,
    }


def apply_policy(response, policy):
    """Mark a successful (or not modified) answer as shared-cacheable under ``policy``."""
    if response.status_code not in (200, 304) or response.has_header("Cache-Control"):
        return response
    patch_cache_control(response, **policy_directives(policy))
    # A signed-in editor is served a private copy of the same address
    # (PersonalResponsesMiddleware): no shared cache may mix the two.
    patch_vary_headers(response, ["Cookie"])
    return response


def cache_policy(policy):
    """A view decorator: its successful answers follow ``policy``."""

    def decorator(view):
        @wraps(view)
        def view_with_policy(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if request.method in SAFE_METHODS:
                apply_policy(response, policy)
            return response

        return view_with_policy

    return decorator


def is_personal(request):
    """Whether the request comes from someone signed in, or who has just written."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or settings.READ_PRIMARY_COOKIE in request.COOKIES


class PersonalResponsesMiddleware:
    """
    Keep what is personal out of shared caches, whatever the view said.

    - A response that sets a cookie is ``private, no-store``: a cache that
      kept it would hand the cookie to the next visitor.
    - The admin is never stored.
    - A public page asked for by someone signed in, or who has just written,
      is ``private, no-cache``: their browser checks it every time, so they
      see their own change at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        if response.cookies or request.path.startswith("/admin/"):
            if "no-store" not in cache_control or "public" in cache_control:
                del response["Cache-Control"]
                add_never_cache_headers(response)
                patch_cache_control(response, private=True)
        elif "public" in cache_control and is_personal(request) and not request.path.startswith(STATIC_PATH):
            del response["Cache-Control"]
            patch_cache_control(response, private=True, no_cache=True)
        return response


@cache
def release_fingerprint():
    """
    A short digest of what shapes every page besides the data: the code, the
    templates, the translations and the static files' manifest.

    Part of every ETag, so that a new release is never answered "not
    modified" from the previous one's copies. Every instance running the
    same release computes the same digest.
    """
    base = Path(settings.BASE_DIR)
    digest = hashlib.blake2b(digest_size=6)
    for folder, patterns in (
        ("ccs_archive", ("*.py",)),
        ("meetings", ("*.py", "*.html", "*.txt", "*.xml")),
        ("templates", ("*",)),
        ("locale", ("*.mo",)),
    ):
        for pattern in patterns:
            for path in sorted((base / folder).rglob(pattern)):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(base)).encode())
                    digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()
