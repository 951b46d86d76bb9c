"""
Downloads of recommendations as CSV and JSON, written a row at a time.

Each writer takes an iterable of recommendations (with their theme and
meeting) and yields text as it goes, for a ``StreamingHttpResponse``: a
download of the whole archive never sits in memory at once.
"""

import csv
import json

from django.utils.translation import gettext as _

# Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark.
BYTE_ORDER_MARK = "\ufeff"


class _Line:
    """A file-like object that hands back what ``csv.writer`` writes to it."""

    def write(self, value):
        return value


def csv_header(languages):
    columns = [_("Meeting date")]
    per_language = [_("Meeting title"), _("Theme"), _("Recommendation"), _("Permalink"), _("Subjects")]
    if len(languages) == 1:
        return columns + per_language
    for column in per_language:
        columns += [f"{column} ({code})" for code in languages]
    return columns


def csv_rows(recommendations, serializer):
    """The CSV file, line by line: a byte-order mark and a header, then one line per recommendation."""
    writer = csv.writer(_Line())
    yield BYTE_ORDER_MARK + writer.writerow(csv_header(serializer.languages))
    for recommendation in recommendations:
        theme, meeting = recommendation.theme, recommendation.theme.meeting
        row = [meeting.date.isoformat()]
        for values in (
            serializer.translated(meeting, "title"),
            serializer.translated(theme, "title"),
            serializer.translated(recommendation, "text"),
            serializer.recommendation_urls(recommendation),
            subject_names(recommendation, serializer.languages),
        ):
            row += [values[code] for code in serializer.languages]
        yield writer.writerow(row)


def subject_names(recommendation, languages):
    """{language: "Data; Trust"}: the subjects' names in one cell."""
    subjects = list(recommendation.subjects.all())
    return {code: "; ".join(getattr(subject, f"name_{code}") for subject in subjects) for code in languages}


def json_document(recommendations, serializer, parameters):
    """The JSON file, piece by piece: the parameters, then the recommendations one by one."""
    head = json.dumps({"languages": list(serializer.languages), "parameters": parameters}, ensure_ascii=False)
    # Open the object again to stream the list into it.
    yield head[:-1] + ', "recommendations": ['
    separator = "\n"
    for recommendation in recommendations:
        yield separator + json.dumps(serializer.recommendation(recommendation), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"
