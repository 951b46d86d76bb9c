"""
The archive's languages, and the one way to do something in each of them.

The languages are modeltranslation's: a page exists in a language because its
text does, so the translated columns (``title_fr``, ``title_en``) and the
per-language addresses come from the same list.
"""

from django.urls import reverse
from django.utils import translation
from modeltranslation.settings import AVAILABLE_LANGUAGES


def each_language(languages=AVAILABLE_LANGUAGES):
    """Activate each language in turn, yielding its code; the previous language is restored after each."""
    for code in languages:
        with translation.override(code):
            yield code


def urls_in_each_language(viewname, args=None, kwargs=None, languages=AVAILABLE_LANGUAGES):
    """``{code: path}``: ``reverse()`` of one view in each language, as ``i18n_patterns`` prefixes it."""
    return {code: reverse(viewname, args=args, kwargs=kwargs) for code in each_language(languages)}
