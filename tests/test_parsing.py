import datetime

import pytest

from meetings.importing.parsing import ParseError, normalize_whitespace, parse_meeting, parse_summaries

HEADER = """Résumés des réunions récentes du Comité consultatif sur les services

De : Emploi et Développement social Canada

Sur cette page

Avertissement.
"""
TRAILER = """
Détails de la page

Date de modification :"""


def page(body):
    return HEADER + "\n" + body + TRAILER


def test_french_source_has_the_documented_shape(source_text):
    parsed = parse_summaries(source_text("fr"), "fr")
    assert parsed.committee == "Comité consultatif sur les services"
    assert parsed.publisher == "Emploi et Développement social Canada"
    assert parsed.disclaimer.startswith("Les points de vue offerts")
    assert [m.date for m in parsed.meetings] == [
        datetime.date(2023, 10, 3),
        datetime.date(2023, 4, 3),
        datetime.date(2023, 1, 19),
        datetime.date(2022, 4, 13),
        datetime.date(2022, 1, 31),
        datetime.date(2021, 11, 29),
    ]
    assert [len(m.themes) for m in parsed.meetings] == [5, 4, 4, 4, 6, 4]
    assert [sum(len(t.recommendations) for t in m.themes) for m in parsed.meetings] == [
        16,
        19,
        14,
        20,
        22,
        17,
    ]
    assert parsed.date_modified is None


def test_english_translation_has_the_same_shape(source_text):
    french = parse_summaries(source_text("fr"), "fr")
    english = parse_summaries(source_text("en"), "en")
    assert english.committee == "Service Advisory Committee"
    assert english.publisher == "Employment and Social Development Canada"
    assert [m.date for m in english.meetings] == [m.date for m in french.meetings]
    for fr_meeting, en_meeting in zip(french.meetings, english.meetings, strict=True):
        assert [len(t.recommendations) for t in en_meeting.themes] == [
            len(t.recommendations) for t in fr_meeting.themes
        ]


def test_objective_labels_singular_plural_and_no_break_space(source_text):
    parsed = parse_summaries(source_text("fr"), "fr")
    # "Objectifs :" (plain space) and "Objectif\u00a0:" (no-break space) both read.
    assert parsed.meetings[0].objective.startswith("Donner un aperçu aux membres du CCS")
    assert parsed.meetings[3].objective.startswith("Obtenir des conseils")


def test_headings_containing_a_colon_stay_whole(source_text):
    parsed = parse_summaries(source_text("fr"), "fr")
    assert parsed.meetings[2].title == "Passeports : Leçons apprises"
    assert parsed.meetings[4].themes[0].title == "Premières démarches et attentes\u00a0: définir le problème"


def test_typography_is_kept_exactly(source_text):
    parsed = parse_summaries(source_text("fr"), "fr")
    texts = [r for m in parsed.meetings for t in m.themes for r in t.recommendations]
    assert any("mise en œuvre" in text for text in texts)
    assert any("«\u00a0données en temps réel\u00a0»" in text for text in texts)
    assert sum(text.endswith(";") for text in texts) > 0
    assert parsed.meetings[0].themes[1].title.startswith("Éliminer")
    assert "–" in parsed.meetings[3].title


def test_whitespace_is_collapsed_but_no_break_spaces_are_kept():
    assert normalize_whitespace("  a \t  b\u00a0: c  ") == "a b\u00a0: c"


def test_bullets_with_odd_indentation_are_still_bullets():
    parsed = parse_summaries(page("3 octobre 2023\nTitre\nObjectif : But.\nThème\n•   Un point.\n"))
    assert parsed.meetings[0].themes[0].recommendations == ["Un point."]


def test_first_of_the_month_reads():
    parsed = parse_summaries(page("1er mars 2024\nTitre\nObjectif : But.\nThème\n  • Un point.\n"))
    assert parsed.meetings[0].date == datetime.date(2024, 3, 1)


def test_modification_date_is_read_when_present():
    text = page("3 octobre 2023\nTitre\nObjectif : But.\nThème\n  • Un point.\n") + " 2024-01-15"
    assert parse_summaries(text).date_modified == datetime.date(2024, 1, 15)


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("3 octobre 2023\nTitre\nObjectif : But.\n  • Sans thème.\n", 12, "a bullet before any theme"),
        ("31 février 2023\nTitre\nObjectif : But.\nThème\n  • Point.\n", 9, "unreadable date"),
        ("3 brumaire 2023\nTitre\nObjectif : But.\nThème\n  • Point.\n", 9, "unreadable date"),
        ("3 octobre 2023\nTitre\nThème\n  • Point.\n", 11, "the meeting has no objective line"),
        ("3 octobre 2023\n4 octobre 2023\nTitre\n", 10, "two dates in a row"),
        (
            "3 octobre 2023\nTitre\nObjectif : But.\nThème vide\nAutre thème\n  • Point.\n",
            12,
            "a theme without",
        ),
        ("3 octobre 2023\nTitre\nObjectif : But.\n", 13, "the meeting has no theme"),
    ],
)
def test_lines_that_cannot_be_placed_raise_with_number_and_text(body, line, message):
    with pytest.raises(ParseError) as caught:
        parse_summaries(page(body))
    assert caught.value.line_number == line
    assert message in caught.value.message
    assert str(line) in str(caught.value)


def test_error_carries_the_offending_line():
    with pytest.raises(ParseError) as caught:
        parse_summaries(page("3 octobre 2023\nTitre\nObjectif : But.\n  • Sans thème.\n"))
    assert caught.value.line == "  • Sans thème."


def test_text_after_the_trailer_is_refused():
    text = page("3 octobre 2023\nTitre\nObjectif : But.\nThème\n  • Point.\n") + "\nEncore du texte"
    with pytest.raises(ParseError, match="text after the page trailer"):
        parse_summaries(text)


def test_a_page_without_its_header_is_refused():
    with pytest.raises(ParseError, match="page title") as caught:
        parse_summaries("Autre chose\n")
    assert caught.value.line_number == 1


def test_a_page_without_a_trailer_is_refused():
    with pytest.raises(ParseError, match="page ends"):
        parse_summaries(HEADER + "\n3 octobre 2023\nTitre\nObjectif : But.\nThème\n  • Point.\n")


def test_english_dates_and_labels():
    text = (
        "Summaries of recent meetings of the Service Advisory Committee\n\nFrom: ESDC\n\nOn this page\n\n"
        "Disclaimer.\n\nOctober 3, 2023\n\nTitle\n\nObjectives: Aim.\n\nTheme: part\n\n  • Point;\n"
        "\nPage details\n\nDate modified:"
    )
    parsed = parse_summaries(text, "en")
    assert parsed.meetings[0].date == datetime.date(2023, 10, 3)
    assert parsed.meetings[0].objective == "Aim."
    assert parsed.meetings[0].themes[0].title == "Theme: part"
    assert parsed.meetings[0].themes[0].recommendations == ["Point;"]


def test_parse_meeting_reads_one_meeting_pasted_from_the_page(source_text):

    lines = source_text("fr").splitlines()
    text = "\n".join(lines[lines.index("3 octobre 2023") : lines.index("3 avril 2023")])
    meeting = parse_meeting(text, "fr")
    assert meeting.date.isoformat() == "2023-10-03"
    assert [len(theme.recommendations) for theme in meeting.themes] == [3, 3, 3, 3, 4]


@pytest.mark.parametrize(
    "text, line_number, message",
    [
        ("", 1, "the text is empty"),
        ("3 octobre 2023\nTitre\nObjectifs : But.\n• Puce.", 4, "a bullet before any theme"),
        (
            "3 octobre 2023\nT\nObjectifs : B.\nThème\n• P.\n4 octobre 2023\nT\nObjectifs : B.\nThème\n• P.",
            6,
            "text after the meeting (one meeting at a time)",
        ),
    ],
)
def test_parse_meeting_names_the_line_it_cannot_place(text, line_number, message):

    with pytest.raises(ParseError) as error:
        parse_meeting(text, "fr")
    assert (error.value.line_number, error.value.message) == (line_number, message)
