from functools import lru_cache
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.formats import date_format, localize, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, language):
    """This page in ``language``: the same meeting, year or search.

    A view that knows better (a meeting, whose slug differs by language)
    passes ``alternates``; any other page is translated by resolving its path
    again, which keeps the query string.
    """
    alternates = context.get("alternates")
    if alternates and language in alternates:
        return alternates[language]
    request = context["request"]
    return translate_url(request.get_full_path(), language)


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def problem_report_url(context):
    """A ``mailto:`` link to report a problem with this page, its address filled in.

    Empty when the deployment gives no address (``ARCHIVE_PROBLEM_EMAIL``).
    """
    address = settings.ARCHIVE_PROBLEM_EMAIL
    if not address:
        return ""
    page = context["request"].build_absolute_uri()
    message = {
        "subject": _("Problem on a page of the archive"),
        # Line breaks in a mailto: body are CRLF (RFC 6068).
        "body": _("Page: %(address)s") % {"address": page} + "\r\n\r\n",
    }
    # Spaces as %20: mail programs do not read "+" as a space.
    return f"mailto:{address}?{urlencode(message, safe=':/', quote_via=quote)}"


@register.filter
def match_count(count):
    """A count of matches as a facet shows it: "about 12,000" when it is an estimate (see engine.Count).

    What ``{% blocktranslate %}about {{ counter }}{% endblocktranslate %}``
    with ``floatformat:"g"`` gives, for a tenth of the time: a search page
    shows one for each year.
    """
    if getattr(count, "estimated", False):
        return _("about %(counter)s") % {"counter": number_format(count.rounded, 0, force_grouping=True)}
    return localize(int(count))


@register.filter
def long_date(value):
    """A date in the words of the active language ("3 décembre 2024"), as ``|date:"DATE_FORMAT"`` gives it.

    Remembered by date and language: a search page shows some fifty dates,
    many of them the same, and formatting one costs some 50 µs.
    """
    return _long_date(value, get_language())


@lru_cache(maxsize=4096)
def _long_date(value, language):
    return date_format(value, "DATE_FORMAT")
