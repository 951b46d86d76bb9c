"""Slugs for meeting URLs, made from a title in one language."""

import re

from django.utils.text import slugify

MAX_SLUG_LENGTH = 80

# Elided articles ("l'avenir", "d'EDSC") become words of their own, so that
# the slug reads "l-avenir" rather than "lavenir".
_APOSTROPHES = re.compile(r"['’]")


def make_slug(title, max_length=MAX_SLUG_LENGTH):
    """An ASCII slug of ``title``, cut at a word boundary to ``max_length``."""
    slug = slugify(_APOSTROPHES.sub(" ", title))
    if len(slug) > max_length:
        slug = slug[: max_length + 1].rsplit("-", 1)[0]
    return slug or "meeting"
