"""Rebuild the whole search index, after a bulk load that bypassed the triggers."""

from django.db import transaction

from .backends import get_backend
from .vocabulary import rebuild_search_terms


@transaction.atomic
def rebuild_search_index():
    get_backend().rebuild()
    rebuild_search_terms()
