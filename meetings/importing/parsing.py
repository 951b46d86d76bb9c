"""
Read a "summaries of recent meetings" page, saved as plain text, into dataclasses.

This module knows nothing of Django: it is a pure function from text to
``ParsedPage``, so that it can be tested in a millisecond and reused by any
loader. Every line of the source is accounted for. A line that cannot be
placed raises ``ParseError`` with its line number and its text; nothing is
skipped silently.

Whitespace policy: each line is stripped at both ends and runs of ordinary
spaces or tabs inside it collapse to one space. No-break spaces (U+00A0) are
kept exactly where the source has them, because French typography puts them
before colons and inside guillemets, and they keep a colon from wrapping onto
a line of its own. Words and punctuation are never altered.

The page has this shape (French labels shown; ``PAGE_FORMATS`` holds both
languages)::

    <page title naming the committee>
    De : <publisher>
    Sur cette page
    <disclaimer, one or more lines>
    <date>                      \
    <meeting title>              | once per meeting, newest first
    Objectif(s) : <objective>    |
    <theme heading>              |  \\ once per theme
      • <recommendation>        /   / once per bullet
    Détails de la page
    Date de modification : [<date>]
"""

import datetime
import re
from dataclasses import dataclass, field

BULLET = "•"


class ParseError(ValueError):
    """A line of the source that the parser cannot place."""

    def __init__(self, message, line_number, line):
        self.message = message
        self.line_number = line_number
        self.line = line
        super().__init__(f"line {line_number}: {message}: {line!r}")


@dataclass(frozen=True)
class PageFormat:
    """The fixed labels and date shape of one language's page."""

    language: str
    title_pattern: re.Pattern
    publisher_label: str
    on_this_page: str
    objective_labels: tuple
    trailer: str
    modified_label: str
    months: tuple
    date_pattern: re.Pattern

    def read_date(self, text):
        """Return the date in ``text``, None if it is not shaped like a date.

        Raise ValueError when it is shaped like one but cannot be read (an
        unknown month, or a day that month does not have).
        """
        match = self.date_pattern.fullmatch(text)
        if match is None:
            return None
        month_name = match["month"].lower()
        if month_name not in self.months:
            raise ValueError(f"unknown month {match['month']!r}")
        month = self.months.index(month_name) + 1
        return datetime.date(int(match["year"]), month, int(match["day"]))


# A label is followed by a colon, with an optional ordinary or no-break space
# before it: "Objectif : ", "Objectif\u00a0: " and "Objective: " all match.
def _label(word):
    return re.compile(rf"{word}[ \u00a0]?:[ \u00a0]*")


PAGE_FORMATS = {
    "fr": PageFormat(
        language="fr",
        title_pattern=re.compile(r"Résumés des réunions récentes du (?P<committee>.+)"),
        publisher_label="De",
        on_this_page="Sur cette page",
        objective_labels=("Objectifs", "Objectif"),
        trailer="Détails de la page",
        modified_label="Date de modification",
        months=(
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ),
        date_pattern=re.compile(r"(?P<day>\d{1,2})(?:er)?[ \u00a0](?P<month>\w+)[ \u00a0](?P<year>\d{4})"),
    ),
    "en": PageFormat(
        language="en",
        title_pattern=re.compile(r"Summaries of recent meetings of the (?P<committee>.+)"),
        publisher_label="From",
        on_this_page="On this page",
        objective_labels=("Objectives", "Objective"),
        trailer="Page details",
        modified_label="Date modified",
        months=(
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        date_pattern=re.compile(r"(?P<month>[A-Za-z]+) (?P<day>\d{1,2}), (?P<year>\d{4})"),
    ),
}


@dataclass
class ParsedTheme:
    title: str
    line_number: int
    recommendations: list = field(default_factory=list)


@dataclass
class ParsedMeeting:
    date: datetime.date
    title: str
    objective: str
    line_number: int
    themes: list = field(default_factory=list)


@dataclass
class ParsedPage:
    language: str
    title: str
    committee: str
    publisher: str
    disclaimer: str
    meetings: list = field(default_factory=list)
    date_modified: datetime.date | None = None


_SPACES = re.compile(r"[ \t]+")
_BULLET_LINE = re.compile(rf"[ \t\u00a0]*{BULLET}[ \t\u00a0]+(?P<text>.*)")


def normalize_whitespace(text):
    """Strip ``text`` and collapse runs of spaces and tabs; keep U+00A0."""
    return _SPACES.sub(" ", text).strip(" \t\u00a0")


def _strip_label(pattern_word, text):
    match = _label(pattern_word).match(text)
    return text[match.end() :] if match else None


def _lines(text):
    """(line number, raw line, normalised line) for every non-blank line."""
    return [
        (number, raw, normalize_whitespace(raw))
        for number, raw in enumerate(text.splitlines(), start=1)
        if normalize_whitespace(raw)
    ]


def parse_summaries(text, language="fr"):
    """Parse the text of a summaries page in ``language`` ("fr" or "en")."""
    reader = _PageReader(PAGE_FORMATS[language], _lines(text))
    return reader.read()


def parse_meeting(text, language="fr"):
    """Parse one meeting as the page shows it: date, title, objective, themes and bullets."""
    lines = _lines(text)
    reader = _PageReader(PAGE_FORMATS[language], lines)
    if not lines:
        reader.error("the text is empty")
    meeting = reader.read_meeting()
    if reader.index < len(lines):
        reader.error("text after the meeting (one meeting at a time)")
    return meeting


class _PageReader:
    """A small state machine over the non-blank lines of one page."""

    def __init__(self, page_format, lines):
        self.format = page_format
        self.lines = lines
        self.index = 0

    def error(self, message, entry=None):
        if entry is None:
            if self.index < len(self.lines):
                entry = self.lines[self.index]
            else:
                last = self.lines[-1][0] if self.lines else 0
                entry = (last + 1, "", "")
        number, raw, _ = entry
        raise ParseError(message, number, raw)

    def next_line(self, expected):
        if self.index >= len(self.lines):
            self.error(f"the page ends where {expected} was expected")
        entry = self.lines[self.index]
        self.index += 1
        return entry

    def date_of(self, entry):
        """The date on this line, None if it is not a date line."""
        try:
            return self.format.read_date(entry[2])
        except ValueError as exc:
            self.error(f"unreadable date ({exc})", entry)

    def read(self):
        fmt = self.format
        entry = self.next_line("the page title")
        title_match = fmt.title_pattern.fullmatch(entry[2])
        if title_match is None:
            self.error("the first line is not the page title", entry)
        entry = self.next_line("the publisher line")
        publisher = _strip_label(fmt.publisher_label, entry[2])
        if not publisher:
            self.error(f"expected the publisher line ({fmt.publisher_label} : …)", entry)
        entry = self.next_line(f"the {fmt.on_this_page!r} line")
        if entry[2] != fmt.on_this_page:
            self.error(f"expected {fmt.on_this_page!r}", entry)
        disclaimer = []
        while self.index < len(self.lines) and not self._at_meeting_or_trailer():
            disclaimer.append(self.next_line("the disclaimer")[2])
        if not disclaimer:
            self.error("the disclaimer paragraph is missing")
        page = ParsedPage(
            language=fmt.language,
            title=self.lines[0][2],
            committee=title_match["committee"],
            publisher=publisher,
            disclaimer="\n".join(disclaimer),
        )
        while self.index < len(self.lines) and self.lines[self.index][2] != fmt.trailer:
            page.meetings.append(self.read_meeting())
        if not page.meetings:
            self.error("the page holds no meeting")
        page.date_modified = self.read_trailer()
        return page

    def _at_meeting_or_trailer(self):
        entry = self.lines[self.index]
        return entry[2] == self.format.trailer or self.date_of(entry) is not None

    def read_meeting(self):
        entry = self.next_line("a meeting date")
        date = self.date_of(entry)
        if date is None:
            self.error("expected a meeting date", entry)
        title_entry = self.next_line("the meeting title")
        if self.date_of(title_entry) is not None:
            self.error("two dates in a row: expected the meeting title", title_entry)
        if _BULLET_LINE.fullmatch(title_entry[1]):
            self.error("expected the meeting title, found a bullet", title_entry)
        objective_entry = self.next_line("the meeting objective")
        objective = None
        for label in self.format.objective_labels:
            objective = _strip_label(label, objective_entry[2])
            if objective is not None:
                break
        if not objective:
            self.error("the meeting has no objective line", objective_entry)
        meeting = ParsedMeeting(date, title_entry[2], objective, entry[0])
        while self.index < len(self.lines) and not self._at_meeting_or_trailer():
            line_entry = self.next_line("a theme or a bullet")
            bullet = _BULLET_LINE.fullmatch(line_entry[1])
            if bullet:
                if not meeting.themes:
                    self.error("a bullet before any theme", line_entry)
                text = normalize_whitespace(bullet["text"])
                if not text:
                    self.error("an empty bullet", line_entry)
                meeting.themes[-1].recommendations.append(text)
            else:
                self._check_theme_closed(meeting)
                meeting.themes.append(ParsedTheme(line_entry[2], line_entry[0]))
        if not meeting.themes:
            self.error("the meeting has no theme")
        self._check_theme_closed(meeting)
        return meeting

    def _check_theme_closed(self, meeting):
        if meeting.themes and not meeting.themes[-1].recommendations:
            theme = meeting.themes[-1]
            self.error("a theme without any bullet", (theme.line_number, theme.title, theme.title))

    def read_trailer(self):
        self.next_line(f"{self.format.trailer!r}")
        entry = self.next_line(f"the {self.format.modified_label!r} line")
        rest = _strip_label(self.format.modified_label, entry[2])
        if rest is None:
            self.error(f"expected {self.format.modified_label!r}", entry)
        date_modified = None
        if rest:
            try:
                date_modified = datetime.date.fromisoformat(rest)
            except ValueError:
                self.error("unreadable modification date", entry)
        if self.index < len(self.lines):
            self.error("text after the page trailer")
        return date_modified
