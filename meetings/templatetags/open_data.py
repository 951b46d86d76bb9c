"""Structured data for the pages: schema.org JSON-LD, written safely inside <script>."""

import json

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Inside <script>, "</script>" or "<!--" in the data would end or disturb the
# block: write <, > and & as JSON escapes, as the json_script filter does.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    """``data`` as a <script type="application/ld+json"> block (a data block, not a script)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def meeting_report(meeting, language, page_urls, subjects=()):
    """``subjects``: (name, URL) of the subjects its recommendations are indexed under."""
    return _meeting_report(meeting, language, page_urls, subjects)


def _meeting_report(meeting, language, page_urls, subjects):
    """
    A meeting's page as a schema.org Report: the summary is a written work,
    and only a creative work can say which page translates which
    (translationOfWork, workTranslation). The meeting itself is the Event the
    report is about.
    """
    committee = meeting.committee
    original = committee.original_language
    author = {"@type": "Organization", "name": committee.name, "alternateName": committee.acronym}
    report = {
        "@context": "https://schema.org",
        "@type": "Report",
        "@id": page_urls[language],
        "url": page_urls[language],
        "name": meeting.title,
        "description": meeting.objective,
        "inLanguage": language,
        "dateModified": meeting.modified_at.isoformat(),
        "author": author,
        "publisher": {"@type": "GovernmentOrganization", "name": committee.department},
        "about": [
            {
                "@type": "Event",
                "name": meeting.title,
                "startDate": meeting.date.isoformat(),
                "organizer": author,
            },
            # The subjects of its recommendations, terms of the archive's vocabulary.
            *({"@type": "DefinedTerm", "name": name, "url": url} for name, url in subjects),
        ],
    }
    versions = {
        code: {"@type": "Report", "@id": url, "url": url, "inLanguage": code}
        for code, url in page_urls.items()
        if code != language
    }
    if language == original:
        report["workTranslation"] = list(versions.values())
    elif original in versions:
        report["translationOfWork"] = versions[original]
    return report


@register.simple_tag(takes_context=True)
def meeting_structured_data(context, meeting):
    """The meeting page's JSON-LD; ``alternates`` holds the page's path in each language."""
    request = context["request"]
    page_urls = {code: request.build_absolute_uri(path) for code, path in context["alternates"].items()}
    language = translation.get_language()
    subjects = [
        (subject.name, request.build_absolute_uri(subject.get_absolute_url()))
        for subject in context.get("meeting_subjects", ())
    ]
    return json_ld(meeting_report(meeting, language, page_urls, subjects))
