"""
The parts of a results page that repeat: its hits and its facets.

A page shows twenty hits and up to fifty facets. Written in the template
language, they took 4.9 ms of the 7.5 ms that the template of a "services"
page took at a million recommendations; written here with ``format_html``,
as Django's admin writes the rows of its change lists
(``admin_list.items_for_result``), 1.7 ms (bench/RESULTS.md, 2026-12-03 16:00).
A hit's address is its model's (``get_absolute_url``), as everywhere else,
though it makes its meeting's address again: about 0.4 ms a page. The markup
and the translated strings are the same as the template's (escaped whole:
they hold no markup); the template still holds everything around them.
"""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .archive import long_date, match_count

register = template.Library()


@register.simple_tag(takes_context=True)
def hit_items(context, hits):
    """The ``<li>`` of each hit, for the page's ``<ol class="hits">``."""
    other_language = context.get("other_language_name", "")
    return format_html_join("", "{}", ((_hit(hit, other_language),) for hit in hits))


def _hit(hit, other_language):
    recommendation = hit.recommendation
    meeting = recommendation.theme.meeting
    found_through = ""
    if not hit.in_page_language:
        found_through = format_html(
            '<p class="meta">{}</p>',
            _("Found through its %(language)s text.") % {"language": other_language.lower()},
        )
    subjects = ""
    if hit.subjects:
        subjects = format_html(
            "<br>\n{} {}",
            _("Subjects:"),
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((subject.get_absolute_url(), subject.name) for subject in hit.subjects),
            ),
        )
    return format_html(
        '<li>\n<article class="hit">\n<p><a class="number" href="{}">{}</a></p>\n<p>{}</p>\n{}\n'
        '<p class="meta">{} {}<br>\n<a href="{}">{}</a>, <time datetime="{}">{}</time>{}</p>\n</article>\n</li>',
        recommendation.get_absolute_url(),
        _("Recommendation %(number)s") % {"number": recommendation.number},
        hit.highlighted,
        found_through,
        _("Theme:"),
        hit.theme_highlighted,
        meeting.get_absolute_url(),
        meeting.title,
        meeting.date.isoformat(),
        long_date(meeting.date),
        subjects,
    )


@register.simple_tag
def year_facet_items(facets, current):
    """The ``<li>`` of each year with matches: a link that narrows the search, or the year it is narrowed to."""
    return format_html_join("", "<li>{}</li>", ((_year_facet(*facet, current),) for facet in facets))


def _year_facet(year, count, address, current):
    if year == current:
        return format_html('<strong aria-current="true">{} ({})</strong>', localize(year), match_count(count))
    return format_html('<a href="{}">{} <span>({})</span></a>', address, localize(year), match_count(count))


@register.simple_tag
def meeting_facet_items(facets, current):
    """The ``<li>`` of each meeting with matches, as ``year_facet_items``."""
    return format_html_join("", "<li>{}</li>", ((_meeting_facet(*facet, current),) for facet in facets))


def _meeting_facet(meeting, count, address, current):
    if meeting.pk == current:
        return format_html('<strong aria-current="true">{} ({})</strong>', meeting.title, localize(count))
    return format_html(
        '<a href="{}">{}, <time datetime="{}">{}</time> <span>({})</span></a>',
        address,
        meeting.title,
        meeting.date.isoformat(),
        long_date(meeting.date),
        localize(count),
    )
