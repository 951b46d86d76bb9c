"""
The parts of a results page that repeat: its hits and its facets.

A page shows twenty hits and up to fifty facets. Written in the template
language, they took 4.9 ms of the 7.5 ms that the template of a "services"
page took at a million recommendations; written with ``format_html``, as
Django's admin writes the rows of its change lists, 1.7 ms. ``format_html``
escapes every argument through a lazy wrapper: here each piece is escaped
once, with the standard library's ``html.escape`` (which Django's ``escape``
calls), and the markup is joined as plain strings. A "transparence" page then
took 9.2-9.8 ms in the process outside the search itself, against 10.8-11.8
before (bench/RESULTS.md, 2026-12-03 20:00). The markup and the translated
strings are the same as the template's (escaped whole: they hold no markup).

A hit links to its meeting and its subjects at their model's address
(``get_absolute_url``), reversed once a page for each, and to itself at its
meeting's address and its anchor, as ``Recommendation.get_absolute_url``
makes it.
"""

import html

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .archive import long_date, match_count

register = template.Library()


def _html(value):
    """``value`` as Django's ``conditional_escape`` gives it: safe text as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _joined(pieces):
    # Every value in the pieces went through _html; the rest is this module's markup.
    return mark_safe("".join(pieces))  # noqa: S308


@register.simple_tag(takes_context=True)
def hit_items(context, hits):
    """The ``<li>`` of each hit, for the page's ``<ol class="hits">``."""
    other_language = context.get("other_language_name", "")
    found_through = _html(_("Found through its %(language)s text.") % {"language": other_language.lower()})
    words = {"theme": _html(_("Theme:")), "subjects": _html(_("Subjects:")), "found_through": found_through}
    addresses = {}

    def address(item):
        # One meeting's hits, and the subjects of a page, share their addresses.
        key = (type(item), item.pk)
        if key not in addresses:
            addresses[key] = _html(item.get_absolute_url())
        return addresses[key]

    return _joined(_hit(hit, words, address) for hit in hits)


def _hit(hit, words, address):
    recommendation = hit.recommendation
    meeting = recommendation.theme.meeting
    # The recommendation's address is its meeting's and its anchor (Recommendation.get_absolute_url).
    meeting_address = address(meeting)
    found_through = "" if hit.in_page_language else f'<p class="meta">{words["found_through"]}</p>'
    subjects = ""
    if hit.subjects:
        links = ", ".join(
            f'<a href="{address(subject)}">{_html(subject.name)}</a>' for subject in hit.subjects
        )
        subjects = f"<br>\n{words['subjects']} {links}"
    number = _html(_("Recommendation %(number)s") % {"number": recommendation.number})
    return (
        f'<li>\n<article class="hit">\n<p><a class="number" href="{meeting_address}#{_html(recommendation.anchor)}">'
        f"{number}</a></p>\n<p>{_html(hit.highlighted)}</p>\n{found_through}\n"
        f'<p class="meta">{words["theme"]} {_html(hit.theme_highlighted)}<br>\n'
        f'<a href="{meeting_address}">{_html(meeting.title)}</a>, '
        f'<time datetime="{meeting.date.isoformat()}">{_html(long_date(meeting.date))}</time>{subjects}</p>\n'
        "</article>\n</li>"
    )


@register.simple_tag
def year_facet_items(facets, current):
    """The ``<li>`` of each year with matches: a link that narrows the search, or the year it is narrowed to."""
    return _joined(f"<li>{_year_facet(*facet, current)}</li>" for facet in facets)


def _year_facet(year, count, address, current):
    label = f"{_html(localize(year))} "
    if year == current:
        return f'<strong aria-current="true">{label}({_html(match_count(count))})</strong>'
    return f'<a href="{_html(address)}">{label}<span>({_html(match_count(count))})</span></a>'


@register.simple_tag
def meeting_facet_items(facets, current):
    """The ``<li>`` of each meeting with matches, as ``year_facet_items``."""
    return _joined(f"<li>{_meeting_facet(*facet, current)}</li>" for facet in facets)


def _meeting_facet(meeting, count, address, current):
    title, count = _html(meeting.title), _html(localize(count))
    if meeting.pk == current:
        return f'<strong aria-current="true">{title} ({count})</strong>'
    return (
        f'<a href="{_html(address)}">{title}, <time datetime="{meeting.date.isoformat()}">'
        f"{_html(long_date(meeting.date))}</time> <span>({count})</span></a>"
    )
