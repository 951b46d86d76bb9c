"""
Downloads of recommendations as CSV and JSON, written a row at a time.

Each writer takes an iterable of recommendations (with their theme and
meeting) and yields text as it goes, for a ``StreamingHttpResponse`` or a
file: a download of the whole archive never sits in memory at once.

CSV cells are neutralised against formula injection, as OWASP advises: a
spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula, so such a cell is written
with a leading apostrophe, which spreadsheets show as text.
"""

import csv
import json

from django.utils.translation import gettext as _

# Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark.
BYTE_ORDER_MARK = "\ufeff"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like object that hands back what ``csv.writer`` writes to it."""

    def write(self, value):
        return value


def neutralised(cell):
    """``cell``, made safe to open in a spreadsheet (OWASP's "CSV Injection")."""
    if cell.startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell


def csv_header(languages):
    columns = [_("Meeting date")]
    per_language = [_("Meeting title"), _("Theme"), _("Recommendation"), _("Permalink"), _("Subjects")]
    if len(languages) == 1:
        return columns + per_language
    for column in per_language:
        columns += [f"{column} ({code})" for code in languages]
    return columns


def csv_head(serializer):
    """The first line of the CSV file, after a byte-order mark."""
    return BYTE_ORDER_MARK + csv.writer(_Line()).writerow(csv_header(serializer.languages))


def csv_line(recommendation, serializer, writer=None):
    """One recommendation as a line of CSV."""
    writer = writer or csv.writer(_Line())
    theme, meeting = recommendation.theme, recommendation.theme.meeting
    row = [meeting.date.isoformat()]
    for values in (
        serializer.translated(meeting, "title"),
        serializer.translated(theme, "title"),
        serializer.translated(recommendation, "text"),
        serializer.recommendation_urls(recommendation),
        subject_names(recommendation, serializer.languages),
    ):
        row += [neutralised(values[code]) for code in serializer.languages]
    return writer.writerow(row)


def csv_rows(recommendations, serializer):
    """The CSV file, line by line: a byte-order mark and a header, then one line per recommendation."""
    writer = csv.writer(_Line())
    yield csv_head(serializer)
    for recommendation in recommendations:
        yield csv_line(recommendation, serializer, writer)


def json_head(serializer, parameters):
    head = json.dumps({"languages": list(serializer.languages), "parameters": parameters}, ensure_ascii=False)
    # Open the object again to stream the list into it.
    return head[:-1] + ', "recommendations": ['


def json_record(recommendation, serializer, first):
    separator = "\n" if first else ",\n"
    return separator + json.dumps(serializer.recommendation(recommendation), ensure_ascii=False)


JSON_TAIL = "\n]}\n"


def subject_names(recommendation, languages):
    """{language: "Data; Trust"}: the subjects' names in one cell."""
    subjects = list(recommendation.subjects.all())
    return {code: "; ".join(getattr(subject, f"name_{code}") for subject in subjects) for code in languages}


def json_document(recommendations, serializer, parameters):
    """The JSON file, piece by piece: the parameters, then the recommendations one by one."""
    yield json_head(serializer, parameters)
    first = True
    for recommendation in recommendations:
        yield json_record(recommendation, serializer, first)
        first = False
    yield JSON_TAIL
