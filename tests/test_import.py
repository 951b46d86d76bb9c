"""Import a newly published meeting summary: paste, preview, confirm, as an editor."""

import re

import pytest
from django.contrib.auth.models import User
from reversion.models import Version

from meetings.models import Meeting, Recommendation
from tests.forms import submitted

pytestmark = pytest.mark.django_db

URL = "/admin/meetings/meeting/import/"
NEW_DATE = {"fr": "15 février 2024", "en": "February 15, 2024"}


@pytest.fixture
def summary(source_text):
    """The text of one meeting as the page shows it (3 October 2023's, given a new date)."""

    def summary(language, date=None):
        lines = source_text(language).splitlines()
        first = lines.index("3 octobre 2023" if language == "fr" else "October 3, 2023")
        end = lines.index("3 avril 2023" if language == "fr" else "April 3, 2023")
        return "\n".join([date or NEW_DATE[language], *lines[first + 1 : end]])

    return summary


def page_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def preview(client, text_fr, text_en="", language="en"):
    return client.post(
        URL,
        {"committee": "1", "text_fr": text_fr, "text_en": text_en, "preview": "1"},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def confirm(client, previewed):
    """Press "Confirm" on a preview page, sending the form as it stands."""
    return client.post(URL, {**submitted(previewed, "import-form"), "confirm": "1"})


def test_the_meeting_list_links_to_the_import_page(client, editor):
    page = client.get("/admin/meetings/meeting/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'href="{URL}"' in page
    assert "Importer un résumé de réunion" in page


def test_preview_shows_the_meeting_and_its_counts_and_saves_nothing(client, editor, summary):
    response = preview(client, summary("fr"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Preview: nothing is saved yet" in text
    assert "A new draft meeting, February 15, 2024." in text
    assert "5 themes, 16 recommendations." in text
    assert "L'avenir de Service Canada (Partie 2)" in response.content.decode().replace("&#x27;", "'")
    assert "No English was pasted" in text
    assert not Meeting.objects.filter(date="2024-02-15").exists()


def test_confirm_creates_a_draft_recorded_in_history_with_its_editor(client, editor, summary):
    previewed = preview(client, summary("fr"))
    response = confirm(client, previewed)
    assert response.status_code == 302
    meeting = Meeting.objects.get(date="2024-02-15")
    assert response["Location"] == f"/admin/meetings/meeting/{meeting.pk}/change/"
    assert meeting.is_published is False
    assert meeting.title_fr == "L'avenir de Service Canada (Partie 2)"
    assert (meeting.title_en, meeting.objective_en) == ("", "")
    assert list(meeting.themes.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    recommendations = Recommendation.objects.filter(theme__meeting=meeting)
    assert recommendations.count() == 16
    assert set(recommendations.values_list("text_en", flat=True)) == {""}
    version = Version.objects.get_for_object(meeting).get()
    assert version.revision.user == editor
    assert version.revision.comment == "Importée du résumé publié."  # the editor's language
    # A draft: the public sees nothing of it.
    client.logout()
    assert client.get(meeting.get_absolute_url("fr")).status_code == 404


def test_french_and_english_are_imported_together(client, editor, summary):
    previewed = preview(client, summary("fr"), summary("en"))
    assert "No English was pasted" not in page_text(previewed)
    assert confirm(client, previewed).status_code == 302
    meeting = Meeting.objects.get(date="2024-02-15")
    assert meeting.title_en == "The future of Service Canada (Part 2)"
    first = meeting.themes.get(position=1).recommendations.get(position=1)
    assert first.text_en.startswith("The SAC recognized that a lack of trust")


def test_english_of_another_shape_is_refused_naming_the_theme(client, editor, summary):
    english = summary("en") + "\nAn extra theme\n  • An extra bullet."
    response = preview(client, summary("fr"), english)
    assert "Preview: nothing is saved" not in page_text(response)
    assert "French text has 5 themes and the English text 6" in page_text(response)


def test_an_existing_draft_is_updated_after_a_preview_of_what_changes(client, editor, summary):
    assert confirm(client, preview(client, summary("fr"), summary("en"))).status_code == 302
    meeting = Meeting.objects.get(date="2024-02-15")
    theme_ids = list(meeting.themes.values_list("pk", flat=True))
    corrected = summary("fr").replace("manque de confiance", "manque de confiance envers l'État", 1)

    previewed = preview(client, corrected)
    text = page_text(previewed)
    assert "Updates the draft of February 15, 2024." in text
    # Its French changed, so its English no longer matches and goes.
    assert "2 changes to the draft" in text
    assert "Theme 1, recommendation 1, in French" in text
    assert "Theme 1, recommendation 1, in English" in text
    assert (
        Meeting.objects.get(pk=meeting.pk)
        .themes.get(position=1)
        .recommendations.get(position=1)
        .text_fr.count("envers")
        == 0
    )

    assert confirm(client, previewed).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_published is False
    assert list(meeting.themes.values_list("pk", flat=True)) == theme_ids
    first, second = meeting.themes.get(position=1).recommendations.order_by("position")[:2]
    assert "envers l'État" in first.text_fr and first.text_en == ""
    # English whose French did not change is kept.
    assert second.text_en.startswith("Collaboration and partnerships")
    assert meeting.title_en == "The future of Service Canada (Part 2)"
    assert Version.objects.get_for_object(meeting).count() == 2


def test_a_published_meeting_is_never_overwritten(client, editor, summary):
    response = preview(client, summary("fr", date="3 octobre 2023"))
    text = page_text(response)
    assert "is published: an import never overwrites a published meeting" in text
    assert 'name="confirm"' not in response.content.decode()
    forced = client.post(
        URL,
        {"committee": "1", "text_fr": summary("fr", date="3 octobre 2023"), "text_en": "", "confirm": "1"},
    )
    assert forced.status_code == 200
    assert Meeting.objects.get(date="2023-10-03").is_published is True


def test_text_changed_after_the_preview_is_previewed_again(client, editor, summary):
    previewed = preview(client, summary("fr"))
    data = {**submitted(previewed, "import-form"), "confirm": "1"}
    data["text_fr"] = data["text_fr"].replace("Partie 2", "Partie 3")
    response = client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The text changed since the preview" in page_text(response)
    assert not Meeting.objects.filter(date="2024-02-15").exists()


BAD_PASTES = {
    "empty": (lambda summary: "   \n\n", "Paste the French text of one meeting."),
    "two meetings": (
        lambda summary: summary("fr") + "\n\n" + summary("fr", date="16 février 2024"),
        "a second meeting (or other text) follows the first: paste one meeting at a time. "
        "The line: “16 février 2024”",
    ),
    "a bullet before a theme": (
        lambda summary: (
            "15 février 2024\nUn titre\nObjectifs : Un objectif.\n  • Une puce.\nUn thème\n  • Une autre."
        ),
        "Line 4: a bullet before any theme: a theme's title must come first. The line: “• Une puce.”",
    ),
    "a date that does not exist": (
        lambda summary: summary("fr", date="30 février 2024"),
        "Line 1: a date that does not exist or cannot be read. The line: “30 février 2024”",
    ),
    "not a date": (
        lambda summary: summary("fr", date="Février 2024"),
        "Line 1: the first line must be the meeting's date. The line: “Février 2024”",
    ),
    "a megabyte": (
        lambda summary: summary("fr") + "\n" + "x" * 1_000_000,
        "This text is too long to be one meeting",
    ),
}


@pytest.mark.parametrize("case", list(BAD_PASTES))
def test_a_bad_paste_gets_a_clear_message_and_saves_nothing(client, editor, summary, case):
    make_text, message = BAD_PASTES[case]
    meetings, recommendations = Meeting.objects.count(), Recommendation.objects.count()
    for button in ("preview", "confirm"):
        response = client.post(
            URL,
            {"committee": "1", "text_fr": make_text(summary), "text_en": "", button: "1"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert message.replace("'", "&#x27;") in response.content.decode() or message in page_text(response)
        assert 'role="alert"' in response.content.decode()
        assert 'name="confirm"' not in response.content.decode()
    assert (Meeting.objects.count(), Recommendation.objects.count()) == (meetings, recommendations)


def test_parse_errors_are_translated_for_french_staff(client, editor, summary):
    response = preview(client, summary("fr", date="30 février 2024"), language="fr")
    assert "Ligne 1" in page_text(response)


def test_only_staff_who_may_add_meetings_can_import(client, summary):
    client.force_login(User.objects.create_user("reader", is_staff=True))
    assert client.get(URL).status_code == 403


def test_the_meeting_list_counts_missing_english_and_filters_on_it(client, editor, summary):
    assert confirm(client, preview(client, summary("fr"))).status_code == 302
    listing = client.get("/admin/meetings/meeting/", HTTP_ACCEPT_LANGUAGE="en")
    text = page_text(listing)
    # Title, objective, 5 themes and 16 recommendations.
    assert "23 fields without English" in text
    assert "complete" in text
    missing = client.get("/admin/meetings/meeting/", {"english": "missing"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "English missing" in page_text(missing)
    rows = re.findall(r'<tr[^>]*>\s*<td class="action-checkbox">', missing.content.decode())
    assert len(rows) == 1
    assert "February 15, 2024" in page_text(missing)
    complete = client.get("/admin/meetings/meeting/", {"english": "complete"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "February 15, 2024" not in page_text(complete)
    assert "October 3, 2023" in page_text(complete)

    # Publishing stays blocked until the English is complete.
    meeting = Meeting.objects.get(date="2024-02-15")
    data = submitted(client.get(f"/admin/meetings/meeting/{meeting.pk}/change/"), "meeting_form")
    data["is_published"] = "on"
    response = client.post(f"/admin/meetings/meeting/{meeting.pk}/change/", data)
    assert response.status_code == 200
    assert Meeting.objects.get(pk=meeting.pk).is_published is False


def test_an_imported_draft_is_translated_over_several_saves_then_published(client, editor, summary):
    assert confirm(client, preview(client, summary("fr"))).status_code == 302
    meeting = Meeting.objects.get(date="2024-02-15")
    url = f"/admin/meetings/meeting/{meeting.pk}/change/"
    data = submitted(client.get(url), "meeting_form")
    data["title_en"] = "The future of Service Canada (Part 2)"
    data["themes-0-recommendations-0-text_en"] = "A first translated recommendation."
    assert client.post(url, data).status_code == 302
    assert meeting.themes.get(position=1).recommendations.get(position=1).text_en.startswith("A first")

    data = submitted(client.get(url), "meeting_form")
    data["is_published"] = "on"
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert page_text(refused).count("Required before the meeting can be published.") == 21
    for name, value in data.items():
        if name.endswith("_en") and not value and "__prefix__" not in name and "-empty-" not in name:
            data[name] = "Translated."
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_published
    client.logout()
    assert client.get(meeting.get_absolute_url("en")).status_code == 200
