"""The real admin, driven with the test client by an editor."""

import html
import re

import pytest
from django.contrib.auth.models import User
from reversion.models import Version

from meetings.models import Meeting, MeetingSlug, Recommendation, Theme
from meetings.roles import ensure_editors_group
from meetings.search.engine import search_recommendations
from tests.forms import submitted

pytestmark = pytest.mark.django_db


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def meeting_form(meeting=None, **overrides):
    data = {
        "committee": "1",
        "date": "2024-02-15",
        "is_published": "on",
        "title_fr": "Réunion d'essai",
        "title_en": "Test meeting",
        "objective_fr": "Vérifier l'administration.",
        "objective_en": "Check the admin.",
        "slug_fr": "",
        "slug_en": "",
    }
    data.update(inline_management("themes"))
    data.update(overrides)
    return data


def meeting_form_for(meeting, **overrides):
    """The change form of an existing meeting, as it stands."""
    fields = ("title_fr", "title_en", "objective_fr", "objective_en", "slug_fr", "slug_en")
    current = {name: getattr(meeting, name) for name in fields}
    return meeting_form(date=meeting.date.isoformat(), **current, **overrides)


# Session, user, the meeting, permissions (twice), themes, committees, and
# the savepoint around the inlines; then one query per theme.
FORM_QUERIES = 9


def escape(text):
    """``text`` as Django's templates write it."""
    return html.escape(text)


def errors(response):
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)


def test_editor_creates_a_whole_meeting_on_one_page(client, editor):
    data = meeting_form(
        **inline_management("themes", total=1),
        **{"themes-0-title_fr": "Premier thème", "themes-0-title_en": "First theme", "themes-0-position": ""},
        **inline_management("themes-0-recommendations", total=2),
        **{
            "themes-0-recommendations-0-text_fr": "Publier les données ouvertes de la xylothèque.",
            "themes-0-recommendations-0-text_en": "Publish the wood library's open data.",
            "themes-0-recommendations-0-position": "",
            "themes-0-recommendations-1-text_fr": "Former le personnel.",
            "themes-0-recommendations-1-text_en": "Train the staff.",
            "themes-0-recommendations-1-position": "",
        },
    )
    response = client.post("/admin/meetings/meeting/add/", data)
    assert response.status_code == 302, errors(response)
    meeting = Meeting.objects.get(date="2024-02-15")
    assert (meeting.slug_fr, meeting.slug_en) == ("reunion-d-essai", "test-meeting")
    theme = meeting.themes.get()
    assert theme.position == 1
    assert list(theme.recommendations.order_by("position").values_list("position", "text_en")) == [
        (1, "Publish the wood library's open data."),
        (2, "Train the staff."),
    ]
    public = client.get(meeting.get_absolute_url("en")).content.decode()
    assert "Train the staff." in public
    assert search_recommendations("xylothèque", "fr").total == 1


def change_form(client, meeting):
    """The meeting's one-page form, as the editor's browser would send it back unchanged."""
    response = client.get(f"/admin/meetings/meeting/{meeting.pk}/change/")
    assert response.status_code == 200
    return submitted(response, "meeting_form")


def test_the_meeting_page_edits_every_theme_and_recommendation(client, editor, newest_meeting):
    page = client.get(f"/admin/meetings/meeting/{newest_meeting.pk}/change/").content.decode()
    recommendations = Recommendation.objects.filter(theme__meeting=newest_meeting)
    assert recommendations.count() == 16
    for recommendation in recommendations:
        for text in (recommendation.text_fr, recommendation.text_en):
            assert escape(text) in page
    data = change_form(client, newest_meeting)
    assert data["themes-TOTAL_FORMS"] == "5"
    assert sum(int(data[f"themes-{n}-recommendations-TOTAL_FORMS"]) for n in range(5)) == 16


def test_french_and_english_side_by_side_labelled_with_their_language(client, editor, newest_meeting):
    page = client.get(f"/admin/meetings/meeting/{newest_meeting.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    # Each pair on one line of the form, French first.
    assert re.search(r'class="form-row field-title_fr field-title_en"', html)
    assert re.search(r'class="form-row field-objective_fr field-objective_en"', html)
    assert ">Title, in French:</label>" in html
    assert ">Objective, in English:</label>" in html
    # Tabular recommendations: the column heading is the only visible label,
    # so each box names its field and language for screen readers.
    assert 'aria-label="Text, in French"' in html and 'aria-label="Text, in English"' in html
    assert re.search(
        r'<textarea[^>]*name="themes-0-recommendations-0-text_en"[^>]*lang="en"', html
    ) or re.search(r'<textarea[^>]*lang="en"[^>]*name="themes-0-recommendations-0-text_en"', html)
    french = client.get(f"/admin/meetings/meeting/{newest_meeting.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Titre, en anglais" in french.content.decode()
    # No tabs, no script of ours, nothing from another site.
    assert "tabbed_translation_fields" not in html
    assert "css/admin" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_publishing_needs_both_languages(client, editor):
    response = client.post("/admin/meetings/meeting/add/", meeting_form(title_en="", objective_en=""))
    assert response.status_code == 200
    assert Meeting.objects.filter(date="2024-02-15").count() == 0
    assert len(errors(response)) >= 2
    draft = meeting_form(title_en="", objective_en="")
    del draft["is_published"]
    assert client.post("/admin/meetings/meeting/add/", draft).status_code == 302
    assert Meeting.objects.get(date="2024-02-15").is_published is False


def test_edit_a_french_text_then_find_the_new_word(client, editor, newest_meeting):
    recommendation = newest_meeting.themes.get(position=1).recommendations.get(position=1)
    response = client.post(
        f"/admin/meetings/recommendation/{recommendation.pk}/change/",
        {
            "theme": str(recommendation.theme_id),
            "position": "1",
            "text_fr": recommendation.text_fr + " Pensez aux phares côtiers.",
            "text_en": recommendation.text_en,
        },
    )
    assert response.status_code == 302, errors(response)
    page = client.get("/fr/recherche/", {"q": "phares cotiers"}).content.decode()
    assert "1 recommandation correspond" in page
    assert f"{newest_meeting.get_absolute_url()}#r1-1" in page
    assert "<mark>phares</mark> <mark>côtiers</mark>" in page


def test_reorder_themes_inline_keeps_positions_unique_and_gapless(client, editor, newest_meeting):
    themes = list(newest_meeting.themes.order_by("position"))
    data = change_form(client, newest_meeting)
    # Swap the first two themes, and delete the last one.
    data["themes-0-position"], data["themes-1-position"] = "2", "1"
    data[f"themes-{len(themes) - 1}-DELETE"] = "on"
    response = client.post(f"/admin/meetings/meeting/{newest_meeting.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    order = list(newest_meeting.themes.order_by("position").values_list("pk", "position"))
    assert order == [(themes[1].pk, 1), (themes[0].pk, 2), (themes[2].pk, 3), (themes[3].pk, 4)]
    assert not Recommendation.objects.filter(theme=themes[-1]).exists()
    public = client.get(newest_meeting.get_absolute_url("fr")).content.decode()
    assert public.index(escape(themes[1].title_fr)) < public.index(escape(themes[0].title_fr))


def test_one_page_reorders_adds_and_deletes_recommendations_gaplessly(client, editor, newest_meeting):
    theme = newest_meeting.themes.get(position=1)
    first, second, third = theme.recommendations.order_by("position")
    data = change_form(client, newest_meeting)
    prefix = "themes-0-recommendations"
    assert data[f"{prefix}-0-id"] == str(first.pk)
    # Move the first to the end, delete the second, add one at position 1.
    data[f"{prefix}-0-position"] = "3"
    data[f"{prefix}-1-DELETE"] = "on"
    data[f"{prefix}-TOTAL_FORMS"] = "4"
    data.update(
        {
            f"{prefix}-3-text_fr": "Une nouvelle recommandation.",
            f"{prefix}-3-text_en": "A new recommendation.",
            f"{prefix}-3-position": "1",
        }
    )
    response = client.post(f"/admin/meetings/meeting/{newest_meeting.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    rows = list(theme.recommendations.order_by("position").values_list("position", "text_en"))
    assert rows == [(1, "A new recommendation."), (2, third.text_en), (3, first.text_en)]
    assert not Recommendation.objects.filter(pk=second.pk).exists()


def test_one_page_adds_a_theme_with_its_recommendations(client, editor, newest_meeting):
    data = change_form(client, newest_meeting)
    data["themes-TOTAL_FORMS"] = "6"
    data.update(
        {
            "themes-5-title_fr": "Un sixième thème",
            "themes-5-title_en": "A sixth theme",
            "themes-5-position": "",
            **inline_management("themes-5-recommendations", total=1),
            "themes-5-recommendations-0-text_fr": "Écouter les clients.",
            "themes-5-recommendations-0-text_en": "Listen to clients.",
            "themes-5-recommendations-0-position": "",
        }
    )
    response = client.post(f"/admin/meetings/meeting/{newest_meeting.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    added = newest_meeting.themes.get(position=6)
    assert list(added.recommendations.values_list("position", "text_en")) == [(1, "Listen to clients.")]


def test_history_of_the_one_page_form_restores_the_whole_meeting(client, editor, newest_meeting):
    def snapshot():
        return [
            (theme.position, theme.title_en, [(r.position, r.text_en) for r in theme.recommendations.all()])
            for theme in Meeting.objects.with_contents().get(pk=newest_meeting.pk).themes.all()
        ]

    # A first save through the admin: the version to come back to.
    assert (
        client.post(
            f"/admin/meetings/meeting/{newest_meeting.pk}/change/", change_form(client, newest_meeting)
        ).status_code
        == 302
    )
    before = snapshot()
    data = change_form(client, newest_meeting)
    data["themes-0-title_en"] = "Renamed theme"
    data["themes-1-recommendations-0-text_en"] = "Rewritten."
    data["themes-4-DELETE"] = "on"
    response = client.post(f"/admin/meetings/meeting/{newest_meeting.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    assert snapshot() != before

    versions = Version.objects.get_for_object(newest_meeting)
    assert versions[0].revision.user == editor
    older = versions[1]
    restore_form = client.get(f"/admin/meetings/meeting/{newest_meeting.pk}/history/{older.pk}/")
    assert restore_form.status_code == 200
    response = client.post(
        f"/admin/meetings/meeting/{newest_meeting.pk}/history/{older.pk}/",
        submitted(restore_form, "meeting_form"),
    )
    assert response.status_code == 302, errors(response)
    assert snapshot() == before


def test_the_one_page_form_runs_a_bounded_number_of_queries(
    client, editor, newest_meeting, django_assert_num_queries
):
    url = f"/admin/meetings/meeting/{newest_meeting.pk}/change/"
    client.get(url)  # the first visit caches the content types
    themes = newest_meeting.themes.count()
    # Fixed queries, then one per theme for its recommendations, whatever their number.
    with django_assert_num_queries(FORM_QUERIES + themes):
        assert client.get(url).status_code == 200
    theme = newest_meeting.themes.get(position=1)
    for position in range(4, 40):
        theme.recommendations.create(text_fr="Encore.", text_en="Again.", position=position)
    with django_assert_num_queries(FORM_QUERIES + themes):
        assert client.get(url).status_code == 200


def test_moving_a_recommendation_renumbers_its_siblings(client, editor, newest_meeting):
    theme = newest_meeting.themes.get(position=1)
    first, second, third = theme.recommendations.order_by("position")
    response = client.post(
        f"/admin/meetings/recommendation/{first.pk}/change/",
        {"theme": str(theme.pk), "position": "3", "text_fr": first.text_fr, "text_en": first.text_en},
    )
    assert response.status_code == 302, errors(response)
    assert list(theme.recommendations.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        third.pk,
        first.pk,
    ]


def test_deleting_a_recommendation_closes_the_gap(client, editor, newest_meeting):
    theme = newest_meeting.themes.get(position=1)
    first = theme.recommendations.get(position=1)
    response = client.post(f"/admin/meetings/recommendation/{first.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert list(theme.recommendations.order_by("position").values_list("position", flat=True)) == [1, 2]


def test_delete_a_meeting_then_restore_it_with_everything_it_held(client, editor, newest_meeting):
    counts = (
        newest_meeting.themes.count(),
        Recommendation.objects.filter(theme__meeting=newest_meeting).count(),
    )
    found = search_recommendations("intelligence artificielle", "fr").total
    url = newest_meeting.get_absolute_url("fr")
    response = client.post(f"/admin/meetings/meeting/{newest_meeting.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=newest_meeting.pk).exists()
    assert client.get(url).status_code == 404

    recover_list = client.get("/admin/meetings/meeting/recover/").content.decode()
    version = Version.objects.get_deleted(Meeting).get(object_id=str(newest_meeting.pk))
    assert f"recover/{version.pk}/" in recover_list
    recover_form = client.get(f"/admin/meetings/meeting/recover/{version.pk}/")
    data = submitted(recover_form, "meeting_form")
    assert data["title_en"] == newest_meeting.title_en
    response = client.post(f"/admin/meetings/meeting/recover/{version.pk}/", data)
    assert response.status_code == 302, errors(response)
    restored = Meeting.objects.get(pk=newest_meeting.pk)
    assert (restored.themes.count(), Recommendation.objects.filter(theme__meeting=restored).count()) == counts
    assert client.get(url).status_code == 200
    assert search_recommendations("intelligence artificielle", "fr").total == found


def test_history_records_who_changed_what_and_can_compare_and_restore(client, editor, newest_meeting):
    theme = newest_meeting.themes.get(position=1)
    original = theme.title_en
    post = {
        "meeting": str(newest_meeting.pk),
        "position": "1",
        "title_fr": theme.title_fr,
        "title_en": "Renamed",
    }
    post.update(inline_management("recommendations"))
    assert client.post(f"/admin/meetings/theme/{theme.pk}/change/", post).status_code == 302

    versions = Version.objects.get_for_object(theme)
    assert versions[0].revision.user == editor
    history = client.get(f"/admin/meetings/theme/{theme.pk}/history/").content.decode()
    assert "editor" in history
    assert "Compare" in history or "Comparer" in history

    compare = client.get(
        f"/admin/meetings/theme/{theme.pk}/history/compare/", {"from": versions[1].pk, "to": versions[0].pk}
    ).content.decode()
    assert "title_en" in compare
    assert f"<del>{original}</del>" in compare
    assert "<ins>Renamed</ins>" in compare

    # Restore the earlier version through reversion's revision form.
    old = versions[1]
    form = client.get(f"/admin/meetings/theme/{theme.pk}/history/{old.pk}/")
    assert form.status_code == 200
    restore = {**post, "title_en": original}
    assert client.post(f"/admin/meetings/theme/{theme.pk}/history/{old.pk}/", restore).status_code == 302
    theme.refresh_from_db()
    assert theme.title_en == original


def test_a_draft_is_invisible_to_the_public_and_to_search(client, editor, newest_meeting):
    data = meeting_form_for(newest_meeting)
    del data["is_published"]
    assert client.post(f"/admin/meetings/meeting/{newest_meeting.pk}/change/", data).status_code == 302
    client.logout()
    assert client.get(newest_meeting.get_absolute_url("fr")).status_code == 404
    assert "3 octobre 2023" not in client.get("/fr/reunions/").content.decode()
    results = search_recommendations("intelligence artificielle", "fr")
    assert newest_meeting not in [meeting for meeting, _count in results.meetings]
    confiance = search_recommendations("confiance", "fr")
    assert all(m.pk != newest_meeting.pk for m, _count in confiance.meetings)
    assert sum(count for _year, count in confiance.years) == confiance.total


def test_a_title_change_keeps_the_old_url_working(client, editor, newest_meeting):
    old_url = newest_meeting.get_absolute_url("en")
    newest_meeting.title_en = "A new English title"
    newest_meeting.slug_en = ""
    newest_meeting.save()
    assert newest_meeting.slug_en == "a-new-english-title"
    assert MeetingSlug.objects.filter(meeting=newest_meeting, language="en").exists()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/en/meetings/2023-10-03-a-new-english-title/"


def test_view_on_site_and_public_links(client, editor, newest_meeting):
    page = client.get(f"/admin/meetings/meeting/{newest_meeting.pk}/change/").content.decode()
    assert f'href="{newest_meeting.get_absolute_url("fr")}" lang="fr"' in page
    assert f'href="{newest_meeting.get_absolute_url("en")}" lang="en"' in page


def test_meeting_list_shows_dates_titles_and_counts(client, editor):
    page = client.get("/admin/meetings/meeting/").content.decode()
    assert "The future of Service Canada (Part 2)" in page
    assert "L&#x27;avenir de Service Canada (Partie 2)" in page
    assert 'class="field-recommendation_count">16<' in page
    year_filtered = client.get("/admin/meetings/meeting/", {"year": "2022"}).content.decode()
    assert (
        "13 avril 2022" in year_filtered or "April 13, 2022" in year_filtered or "2022-04-13" in year_filtered
    )
    assert "The future of Service Canada (Part 2)" not in year_filtered


def test_recommendation_admin_searches_both_languages(client, editor):
    racism = Recommendation.objects.get(text_fr__contains="racisme")
    french = client.get("/admin/meetings/recommendation/", {"q": "racisme"}).content.decode()
    assert f"/admin/meetings/recommendation/{racism.pk}/change/" in french
    english = client.get("/admin/meetings/recommendation/", {"q": "artificial intelligence"}).content.decode()
    found = re.search(r"(\d+) r(?:e|é)sultats?", english) or re.search(r"(\d+) recommandations?", english)
    assert found and int(found.group(1)) > 0
    assert "/admin/meetings/recommendation/" in english


def test_editor_cannot_reach_user_management(client, editor):
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert "/admin/auth/" not in client.get("/admin/").content.decode()


def test_editors_group_has_exactly_content_and_history_permissions():
    group = ensure_editors_group()
    labels = {p.content_type.app_label for p in group.permissions.all()}
    assert labels == {"meetings", "reversion"}
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_meeting", "delete_recommendation", "add_theme", "view_version"} <= codenames
    assert not any("searchterm" in c for c in codenames)


def test_non_staff_get_only_the_login_page(client):
    client.force_login(User.objects.create_user("reader", password="a-long-enough-password"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/meetings/meeting/").status_code == 302


def test_history_entries_exist_for_imported_content():
    meeting = Meeting.objects.get(date="2023-10-03")
    version = Version.objects.get_for_object(meeting).first()
    assert version is not None
    assert "fixture" in version.revision.get_comment()


def test_theme_admin_renumbers_when_a_theme_is_added_without_position(client, editor, newest_meeting):
    response = client.post(
        "/admin/meetings/theme/add/",
        {
            "meeting": str(newest_meeting.pk),
            "position": "",
            "title_fr": "Nouveau",
            "title_en": "New",
            **inline_management("recommendations"),
        },
    )
    assert response.status_code == 302, errors(response)
    assert list(newest_meeting.themes.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert newest_meeting.themes.get(position=6).title_en == "New"
    assert Theme.objects.filter(meeting=newest_meeting).count() == 6


def test_editor_adds_a_use_for_term_and_search_follows(client, editor):
    from meetings.models import Subject

    subject = Subject.objects.get(slug_en="trust")
    page = client.get(f"/admin/meetings/subject/{subject.pk}/change/")
    assert page.status_code == 200
    data = submitted(page, "subject_form")
    data["use_for_fr"] += "\nfiabilité"
    response = client.post(f"/admin/meetings/subject/{subject.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    found = {hit.recommendation.pk for hit in search_recommendations("fiabilité", "fr").page.object_list}
    assert found == set(subject.recommendations.values_list("pk", flat=True))


def test_editor_indexes_a_recommendation_under_a_subject(client, editor, newest_meeting):
    from meetings.models import Subject

    recommendation = Recommendation.objects.filter(theme__meeting=newest_meeting).first()
    subject = Subject.objects.get(slug_en="plain-language")
    page = client.get(f"/admin/meetings/recommendation/{recommendation.pk}/change/")
    data = submitted(page, "recommendation_form")
    # A multiple select: the form reader keeps one value, so name them all.
    data["subjects"] = [str(s.pk) for s in recommendation.subjects.all()] + [str(subject.pk)]
    response = client.post(f"/admin/meetings/recommendation/{recommendation.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    assert subject in recommendation.subjects.all()


def test_a_login_with_a_refused_next_lands_on_the_admin(client):
    User.objects.create_user("editor", password="a-long-enough-password", is_staff=True)
    response = client.post(
        "/admin/login/?next=https://elsewhere.example/",
        {"username": "editor", "password": "a-long-enough-password"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("next_url", ["", "?next=https://elsewhere.example/"])
def test_logout_never_answers_405(client, editor, next_url):
    # A GET (an old bookmark) asks, with a button that logs out.
    page = client.get("/admin/logout/" + next_url)
    assert page.status_code == 200
    assert 'action="/admin/logout/"' in page.content.decode()
    response = client.post("/admin/logout/" + next_url, follow=True)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert all(status != 405 for _url, status in response.redirect_chain)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_archive_comes_first_on_the_admin_index(client, editor, language):
    editor.is_superuser = True
    editor.save()
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    sections = re.findall(r'<div class="app-(\w+) module', page)
    assert sections[0] == "meetings", sections
    assert len(sections) > 1
