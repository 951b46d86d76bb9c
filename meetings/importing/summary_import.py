"""
Import one newly published meeting summary, pasted by staff, as a draft.

Staff paste the French text of one meeting as the committee's page shows it
(and, if they have it, the English text of the same shape). The parser reads
it; nothing is saved until staff have seen the preview and confirmed. A
confirmed import creates a draft, or updates the draft of the same date; a
published meeting is never overwritten.
"""

from dataclasses import dataclass, field

import reversion
from django import forms
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meetings.models import Committee, Meeting

from .parsing import ParseError, parse_meeting

# One meeting is a few thousand characters; the longest in the archive is
# under 10,000. Anything much longer is not one meeting.
MAX_LENGTH = 50_000

# The parser speaks English and knows nothing of Django; its messages are
# translated here, for the staff who read them.
PARSER_MESSAGES = {
    "the text is empty": _("the text is empty"),
    "expected a meeting date": _("the first line must be the meeting's date"),
    "the page ends where a meeting date was expected": _("the first line must be the meeting's date"),
    "two dates in a row: expected the meeting title": _("two dates in a row: the meeting's title is missing"),
    "expected the meeting title, found a bullet": _("a bullet where the meeting's title should be"),
    "the page ends where the meeting title was expected": _("the meeting's title is missing"),
    "the page ends where the meeting objective was expected": _("the meeting's objective line is missing"),
    "the meeting has no objective line": _("the third line must be the objective (“Objectifs : …”)"),
    "a bullet before any theme": _("a bullet before any theme: a theme's title must come first"),
    "an empty bullet": _("an empty bullet"),
    "the meeting has no theme": _("the meeting has no theme"),
    "a theme without any bullet": _("a theme without any bullet"),
    "text after the meeting (one meeting at a time)": _(
        "a second meeting (or other text) follows the first: paste one meeting at a time"
    ),
}


def describe(error):
    """A parse error, in the reader's language, with its line number and its line."""
    message = PARSER_MESSAGES.get(error.message)
    if message is None and error.message.startswith("unreadable date"):
        message = _("a date that does not exist or cannot be read")
    return gettext("Line %(number)s: %(message)s. The line: “%(line)s”") % {
        "number": error.line_number,
        "message": message or error.message,
        "line": error.line.strip() or "…",
    }


@dataclass
class ImportedTheme:
    title_fr: str
    title_en: str
    recommendations: list = field(default_factory=list)  # (text_fr, text_en) pairs


@dataclass
class ImportedMeeting:
    """What an import will write: the pasted meeting, with English where it was pasted."""

    date: object
    title_fr: str
    title_en: str
    objective_fr: str
    objective_en: str
    themes: list

    @property
    def recommendation_count(self):
        return sum(len(theme.recommendations) for theme in self.themes)


def pair(french, english):
    """Join the two parsed languages, or refuse them, naming where their shapes differ."""
    if english is None:
        return ImportedMeeting(
            date=french.date,
            title_fr=french.title,
            title_en="",
            objective_fr=french.objective,
            objective_en="",
            themes=[
                ImportedTheme(theme.title, "", [(text, "") for text in theme.recommendations])
                for theme in french.themes
            ],
        )
    if english.date != french.date:
        raise forms.ValidationError(
            _("The English text is of another date (%(english)s, the French %(french)s)."),
            params={"english": english.date.isoformat(), "french": french.date.isoformat()},
        )
    if len(english.themes) != len(french.themes):
        raise forms.ValidationError(
            _("The French text has %(french)s themes and the English text %(english)s."),
            params={"french": len(french.themes), "english": len(english.themes)},
        )
    themes = []
    for number, (theme_fr, theme_en) in enumerate(zip(french.themes, english.themes, strict=True), 1):
        if len(theme_fr.recommendations) != len(theme_en.recommendations):
            raise forms.ValidationError(
                _(
                    "Theme %(number)s (“%(title)s”) has %(french)s bullets in French "
                    "and %(english)s in English."
                ),
                params={
                    "number": number,
                    "title": theme_fr.title,
                    "french": len(theme_fr.recommendations),
                    "english": len(theme_en.recommendations),
                },
            )
        themes.append(
            ImportedTheme(
                theme_fr.title,
                theme_en.title,
                list(zip(theme_fr.recommendations, theme_en.recommendations, strict=True)),
            )
        )
    return ImportedMeeting(
        date=french.date,
        title_fr=french.title,
        title_en=english.title,
        objective_fr=french.objective,
        objective_en=english.objective,
        themes=themes,
    )


def _pasted_text(label, required):
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        error_messages={
            "required": _("Paste the French text of one meeting."),
            "max_length": _(
                "This text is too long to be one meeting (%(show_value)s characters; "
                "at most %(limit_value)s). Paste one meeting at a time."
            ),
        },
    )


class SummaryImportForm(forms.Form):
    committee = forms.ModelChoiceField(Committee.objects.all(), label=_("Committee"), empty_label=None)
    text_fr = _pasted_text(_("French text of the meeting"), required=True)
    text_en = _pasted_text(_("English text of the same meeting (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text_fr"].widget.attrs["lang"] = "fr"
        self.fields["text_en"].widget.attrs["lang"] = "en"
        self.fields["text_fr"].help_text = _(
            "From the date line to the meeting's last bullet, as the published page shows it."
        )

    def _parse(self, name, language):
        text = self.cleaned_data.get(name, "")
        if not text.strip():
            return None
        try:
            return parse_meeting(text, language)
        except ParseError as error:
            raise forms.ValidationError(describe(error)) from None

    def clean_text_fr(self):
        self.french = self._parse("text_fr", "fr")
        if self.french is None:
            raise forms.ValidationError(self.fields["text_fr"].error_messages["required"])
        return self.cleaned_data["text_fr"]

    def clean_text_en(self):
        self.english = self._parse("text_en", "en")
        return self.cleaned_data["text_en"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        self.imported = pair(self.french, self.english)
        self.draft = Meeting.objects.filter(committee=cleaned["committee"], date=self.imported.date).first()
        if self.draft and self.draft.is_published:
            raise forms.ValidationError(
                _(
                    "The meeting of %(date)s is published: an import never overwrites a published "
                    "meeting. Edit it instead, or unpublish it first."
                ),
                params={"date": self.imported.date.isoformat()},
            )
        return cleaned


@dataclass
class Change:
    what: str
    before: str
    after: str


def _keep(before_fr, after_fr, before_en, after_en):
    """The English to write: pasted English, or the draft's own while its French is unchanged."""
    if after_en or before_fr != after_fr:
        return after_en
    return before_en


def plan(imported, draft):
    """What the import writes, and (for an existing draft) what that changes."""
    if draft is None:
        return imported, []
    themes = list(draft.themes.prefetch_related("recommendations").order_by("position"))
    changes = []

    def compare(what, before, after):
        if (before or "") != (after or ""):
            changes.append(Change(what, before or "", after or ""))

    imported.title_en = _keep(draft.title_fr, imported.title_fr, draft.title_en, imported.title_en)
    imported.objective_en = _keep(
        draft.objective_fr, imported.objective_fr, draft.objective_en, imported.objective_en
    )
    for name, label in (
        ("title_fr", _("Title, in French")),
        ("title_en", _("Title, in English")),
        ("objective_fr", _("Objective, in French")),
        ("objective_en", _("Objective, in English")),
    ):
        compare(str(label), getattr(draft, name), getattr(imported, name))
    for number, theme in enumerate(imported.themes, 1):
        old = themes[number - 1] if number <= len(themes) else None
        old_recommendations = list(old.recommendations.order_by("position")) if old else []
        if old:
            theme.title_en = _keep(old.title_fr, theme.title_fr, old.title_en, theme.title_en)
        compare(
            gettext("Theme %(number)s, in French") % {"number": number}, old and old.title_fr, theme.title_fr
        )
        compare(
            gettext("Theme %(number)s, in English") % {"number": number}, old and old.title_en, theme.title_en
        )
        for position, (text_fr, text_en) in enumerate(theme.recommendations, 1):
            previous = old_recommendations[position - 1] if position <= len(old_recommendations) else None
            if previous:
                text_en = _keep(previous.text_fr, text_fr, previous.text_en, text_en)
                theme.recommendations[position - 1] = (text_fr, text_en)
            where = {"theme": number, "number": position}
            compare(
                gettext("Theme %(theme)s, recommendation %(number)s, in French") % where,
                previous and previous.text_fr,
                text_fr,
            )
            compare(
                gettext("Theme %(theme)s, recommendation %(number)s, in English") % where,
                previous and previous.text_en,
                text_en,
            )
        for position, previous in enumerate(old_recommendations[len(theme.recommendations) :], 1):
            where = {"theme": number, "number": len(theme.recommendations) + position}
            compare(
                gettext("Theme %(theme)s, recommendation %(number)s, in French") % where, previous.text_fr, ""
            )
    for number, old in enumerate(themes[len(imported.themes) :], len(imported.themes) + 1):
        compare(gettext("Theme %(number)s, in French") % {"number": number}, old.title_fr, "")
    return imported, changes


@transaction.atomic
def save_import(imported, committee, draft, user):
    """Write the import as a draft, in one revision recorded with ``user``; return the meeting."""
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(gettext("Imported from the published summary."))
        meeting = draft or Meeting(committee=committee, date=imported.date)
        meeting.is_published = False
        for name in ("title_fr", "title_en", "objective_fr", "objective_en"):
            setattr(meeting, name, getattr(imported, name))
        meeting.save()
        # Rows are updated in place by position, so positions never clash
        # and a draft's rows keep their identity.
        meeting.themes.filter(position__gt=len(imported.themes)).delete()
        for number, parsed in enumerate(imported.themes, 1):
            theme, _created = meeting.themes.update_or_create(
                position=number, defaults={"title_fr": parsed.title_fr, "title_en": parsed.title_en}
            )
            theme.recommendations.filter(position__gt=len(parsed.recommendations)).delete()
            for position, (text_fr, text_en) in enumerate(parsed.recommendations, 1):
                theme.recommendations.update_or_create(
                    position=position, defaults={"text_fr": text_fr, "text_en": text_en}
                )
        reversion.add_to_revision(meeting)
    return meeting
