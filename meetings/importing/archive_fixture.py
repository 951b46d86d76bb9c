"""
Build the archive fixture from the French source page and its English
translation.

The two pages are parsed separately and paired by position: the same
meetings, on the same dates, with the same number of themes and bullets.
The result is a list of records in Django's serialisation shape, with
explicit ``_fr`` and ``_en`` keys, written so that the same sources always
give the same bytes.
"""

import json

from ..slugs import make_slug
from .parsing import parse_summaries

# What the source pages do not say about the committee itself.
COMMITTEE_CODE = "ccs"
COMMITTEE_ACRONYMS = {"fr": "CCS", "en": "SAC"}
ORIGINAL_LANGUAGE = "fr"


class ShapeMismatch(ValueError):
    """The French and English pages do not hold the same structure."""


def _check_same_shape(fr_page, en_page):
    if len(fr_page.meetings) != len(en_page.meetings):
        raise ShapeMismatch(
            f"the French page has {len(fr_page.meetings)} meetings, the English page {len(en_page.meetings)}"
        )
    for fr_meeting, en_meeting in zip(fr_page.meetings, en_page.meetings, strict=True):
        where = f"meeting of {fr_meeting.date.isoformat()} ({fr_meeting.title!r})"
        if fr_meeting.date != en_meeting.date:
            raise ShapeMismatch(f"{where}: the English page has the date {en_meeting.date.isoformat()}")
        if len(fr_meeting.themes) != len(en_meeting.themes):
            raise ShapeMismatch(
                f"{where}: {len(fr_meeting.themes)} themes in French, {len(en_meeting.themes)} in English"
            )
        for number, (fr_theme, en_theme) in enumerate(
            zip(fr_meeting.themes, en_meeting.themes, strict=True), start=1
        ):
            fr_count, en_count = len(fr_theme.recommendations), len(en_theme.recommendations)
            if fr_count != en_count:
                raise ShapeMismatch(
                    f"{where}, theme {number} ({fr_theme.title!r}): "
                    f"{fr_count} bullets in French, {en_count} in English"
                )


def build_records(fr_text, en_text):
    """Parse both pages and return the fixture's records, in load order."""
    fr_page = parse_summaries(fr_text, "fr")
    en_page = parse_summaries(en_text, "en")
    _check_same_shape(fr_page, en_page)
    records = [
        {
            "model": "meetings.committee",
            "pk": 1,
            "fields": {
                "code": COMMITTEE_CODE,
                "name_fr": fr_page.committee,
                "name_en": en_page.committee,
                "acronym_fr": COMMITTEE_ACRONYMS["fr"],
                "acronym_en": COMMITTEE_ACRONYMS["en"],
                "department_fr": fr_page.publisher,
                "department_en": en_page.publisher,
                "disclaimer_fr": fr_page.disclaimer,
                "disclaimer_en": en_page.disclaimer,
                "original_language": ORIGINAL_LANGUAGE,
            },
        }
    ]
    theme_pk = recommendation_pk = 0
    for meeting_pk, (fr_meeting, en_meeting) in enumerate(
        zip(fr_page.meetings, en_page.meetings, strict=True), start=1
    ):
        records.append(
            {
                "model": "meetings.meeting",
                "pk": meeting_pk,
                "fields": {
                    "committee": 1,
                    "date": fr_meeting.date.isoformat(),
                    "title_fr": fr_meeting.title,
                    "title_en": en_meeting.title,
                    "objective_fr": fr_meeting.objective,
                    "objective_en": en_meeting.objective,
                    "slug_fr": make_slug(fr_meeting.title),
                    "slug_en": make_slug(en_meeting.title),
                    "is_published": True,
                },
            }
        )
        for theme_position, (fr_theme, en_theme) in enumerate(
            zip(fr_meeting.themes, en_meeting.themes, strict=True), start=1
        ):
            theme_pk += 1
            records.append(
                {
                    "model": "meetings.theme",
                    "pk": theme_pk,
                    "fields": {
                        "meeting": meeting_pk,
                        "position": theme_position,
                        "title_fr": fr_theme.title,
                        "title_en": en_theme.title,
                    },
                }
            )
            for position, (fr_text_, en_text_) in enumerate(
                zip(fr_theme.recommendations, en_theme.recommendations, strict=True), start=1
            ):
                recommendation_pk += 1
                records.append(
                    {
                        "model": "meetings.recommendation",
                        "pk": recommendation_pk,
                        "fields": {
                            "theme": theme_pk,
                            "position": position,
                            "text_fr": fr_text_,
                            "text_en": en_text_,
                        },
                    }
                )
    return records


def dump_records(records):
    """The fixture file's exact text: stable key order, readable accents."""
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def build_fixture_text(source_dir):
    """The fixture's text, built from the two source files in ``source_dir``."""
    fr_text = (source_dir / "ccs-meeting-summaries.fr.txt").read_text(encoding="utf-8")
    en_text = (source_dir / "ccs-meeting-summaries.en.txt").read_text(encoding="utf-8")
    return dump_records(build_records(fr_text, en_text))
