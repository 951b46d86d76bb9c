"""
Conditional GETs for the public pages.

Every public page is built from the archive alone, so one validator serves
them all: the archive's revision (``ArchiveRevision``), which moves with
every change to what the pages show. A request that holds the current
``ETag`` (or a ``Last-Modified`` date not older than the last change) is
answered 304 after that one primary-key lookup, before the view runs.
"""

from functools import wraps

from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from ccs_archive.http_caching import SAFE_METHODS, apply_policy, release_fingerprint

from .models import ArchiveRevision


def archive_validators(revision):
    """The weak ETag and the Last-Modified time (seconds) of every page at ``revision``."""
    # Weak: the proxy in front compresses the body, and a weak tag survives that.
    etag = f'W/"r{revision.number}-{release_fingerprint()}"'
    return etag, int(revision.changed_at.timestamp())


def conditional_page(policy="page"):
    """
    A view decorator: 304 when the client's copy is current, else the view's
    answer with the archive's validators; either way under ``policy``
    (``ccs_archive/http_caching.py``).

    The view finds the revision on ``request.archive_revision`` (the sitemap
    keys its cache with it).
    """

    def decorator(view):
        @wraps(view)
        def conditional_view(request, *args, **kwargs):
            if request.method not in SAFE_METHODS:
                return view(request, *args, **kwargs)
            return conditional_response(request, lambda: view(request, *args, **kwargs), policy)

        return conditional_view

    return decorator


def conditional_response(request, respond, policy):
    """304 if the client's copy is current, else ``respond()``'s answer, with validators."""
    revision = request.archive_revision = ArchiveRevision.current()
    etag, last_modified = archive_validators(revision)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = respond()
        if response.status_code != 200:
            return response
    # The archive's validators, even where the view set its own (a feed's newest
    # entry, a sitemap's newest page): a 304 is decided on these.
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return apply_policy(response, policy)
