import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command

from meetings.importing.archive_fixture import ShapeMismatch, build_fixture_text, build_records
from meetings.importing.loading import load_records
from meetings.importing.parsing import parse_summaries
from meetings.models import Committee, Meeting, Recommendation, Theme


def squash(text):
    """Whitespace normalisation for comparisons: every run of spaces, no-break included, is one space."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def test_committed_fixture_equals_a_fresh_build():
    assert settings.ARCHIVE_FIXTURE.read_text(encoding="utf-8") == build_fixture_text(
        settings.ARCHIVE_SOURCE_DIR
    )


def test_build_is_deterministic():
    first = build_fixture_text(settings.ARCHIVE_SOURCE_DIR)
    assert build_fixture_text(settings.ARCHIVE_SOURCE_DIR) == first


def test_source_is_the_file_as_received():
    import hashlib

    digest = hashlib.sha256((settings.ARCHIVE_SOURCE_DIR / "ccs-meeting-summaries.fr.txt").read_bytes())
    assert digest.hexdigest() == "1182a1d611932953d9fb6343032655a5ffc4ffab29575b3aeb1124a03d744238"


def test_fixture_has_explicit_language_keys(records):
    meeting = next(r for r in records if r["model"] == "meetings.meeting")
    assert {"title_fr", "title_en", "objective_fr", "objective_en", "slug_fr", "slug_en"} <= meeting[
        "fields"
    ].keys()
    assert "title" not in meeting["fields"]


def test_fixture_records_the_translation_as_unofficial(records):
    committee = records[0]["fields"]
    assert committee["original_language"] == "fr"
    assert committee["acronym_fr"] == "CCS"
    assert committee["acronym_en"] == "SAC"


def test_shapes_that_differ_are_refused_naming_meeting_and_theme(source_text):
    english = source_text("en")
    # Drop one English bullet of the first theme of the first meeting.
    first_bullet = next(line for line in english.splitlines() if line.startswith("  • "))
    broken = english.replace(first_bullet + "\n", "", 1)
    with pytest.raises(ShapeMismatch) as caught:
        build_records(source_text("fr"), broken)
    message = str(caught.value)
    assert "2023-10-03" in message
    assert "theme 1" in message
    assert "Partenariats avec d'autres ministères" in message


def test_dates_that_differ_are_refused(source_text):
    broken = source_text("en").replace("October 3, 2023", "October 4, 2023")
    with pytest.raises(ShapeMismatch, match="2023-10-04"):
        build_records(source_text("fr"), broken)


@pytest.mark.django_db
def test_database_holds_every_bullet_exactly_once(source_text):
    for language in ("fr", "en"):
        parsed = parse_summaries(source_text(language), language)
        stored = [squash(t) for t in Recommendation.objects.values_list(f"text_{language}", flat=True)]
        bullets = [squash(r) for m in parsed.meetings for t in m.themes for r in t.recommendations]
        assert len(bullets) == 108
        assert sorted(stored) == sorted(bullets)
        for bullet in bullets:
            assert stored.count(bullet) == bullets.count(bullet)


@pytest.mark.django_db
def test_database_holds_every_title_objective_and_theme(source_text):
    for language in ("fr", "en"):
        parsed = parse_summaries(source_text(language), language)
        meetings = list(Meeting.objects.order_by("-date"))
        assert [squash(getattr(m, f"title_{language}")) for m in meetings] == [
            squash(m.title) for m in parsed.meetings
        ]
        assert [squash(getattr(m, f"objective_{language}")) for m in meetings] == [
            squash(m.objective) for m in parsed.meetings
        ]
        themes = Theme.objects.order_by("-meeting__date", "position").values_list(
            f"title_{language}", flat=True
        )
        assert [squash(t) for t in themes] == [squash(t.title) for m in parsed.meetings for t in m.themes]
        assert len(themes) == 27


@pytest.mark.django_db
def test_source_order_is_kept(source_text):
    parsed = parse_summaries(source_text("fr"), "fr")
    meeting = Meeting.objects.with_contents().get(date="2022-01-31")
    stored = [[r.text_fr for r in t.recommendations.all()] for t in meeting.themes.all()]
    assert stored == [t.recommendations for t in parsed.meetings[4].themes]


@pytest.mark.django_db
def test_loading_again_changes_nothing(records):
    before = list(Recommendation.objects.values_list("pk", "text_fr", "text_en", "position"))
    modified = list(Meeting.objects.values_list("pk", "modified_at"))
    report = load_records(records)
    assert report.created == 0
    assert report.unchanged == len(records)
    assert list(Recommendation.objects.values_list("pk", "text_fr", "text_en", "position")) == before
    assert list(Meeting.objects.values_list("pk", "modified_at")) == modified


@pytest.mark.django_db
def test_loading_into_an_empty_database_creates_everything(records):
    Meeting.objects.all().delete()
    Committee.objects.all().delete()
    report = load_records(records)
    assert report.created == 142
    assert (Committee.objects.count(), Meeting.objects.count()) == (1, 6)
    assert (Theme.objects.count(), Recommendation.objects.count()) == (27, 108)


@pytest.mark.django_db
def test_a_failed_load_leaves_the_database_as_it_was(records):
    Recommendation.objects.filter(theme__meeting__date="2021-11-29").delete()
    before = Recommendation.objects.count()
    broken = [*records, {"model": "auth.user", "pk": 1, "fields": {}}]
    with pytest.raises(ValueError, match="unexpected model"):
        load_records(broken)
    assert Recommendation.objects.count() == before


@pytest.mark.django_db
def test_edited_rows_are_left_alone_and_reported(records):
    recommendation = Recommendation.objects.get(
        theme__meeting__date="2023-10-03", theme__position=1, position=1
    )
    recommendation.text_fr = "Texte corrigé par le personnel."
    recommendation.save()
    report = load_records(records)
    assert len(report.kept) == 1
    assert "text_fr" in report.kept[0]
    recommendation.refresh_from_db()
    assert recommendation.text_fr == "Texte corrigé par le personnel."


@pytest.mark.django_db
def test_overwrite_restores_the_fixture_text(records):
    recommendation = Recommendation.objects.get(
        theme__meeting__date="2023-10-03", theme__position=1, position=1
    )
    original = recommendation.text_fr
    recommendation.text_fr = "Texte corrigé par le personnel."
    recommendation.save()
    report = load_records(records, overwrite=True)
    assert len(report.overwritten) == 1
    recommendation.refresh_from_db()
    assert recommendation.text_fr == original


@pytest.mark.django_db
def test_missing_rows_are_created_and_the_rest_kept(records):
    Recommendation.objects.filter(theme__meeting__date="2023-04-03", theme__position=2).delete()
    report = load_records(records)
    assert report.created == 5
    assert Recommendation.objects.count() == 108


@pytest.mark.django_db
@pytest.mark.usefixtures("own_archive_files")
def test_load_archive_command_reports(capsys):
    call_command("load_archive")
    assert "0 created, 142 unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_load_archive_command_refuses_an_unreadable_file(tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_archive", str(path))


def test_build_fixtures_check_detects_drift(tmp_path, settings):
    from django.core.management import CommandError

    settings.ARCHIVE_FIXTURE = tmp_path / "archive.json"
    settings.ARCHIVE_FIXTURE.write_text(json.dumps([]), encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("build_fixtures", "--check")
    call_command("build_fixtures")
    call_command("build_fixtures", "--check")


@pytest.mark.django_db
def test_overwrite_never_changes_what_is_published(records):
    Meeting.objects.filter(date="2023-10-03").update(is_published=False)
    report = load_records(records, overwrite=True)
    assert not Meeting.objects.get(date="2023-10-03").is_published
    assert not any("is_published" in line for line in report.overwritten + report.kept)


@pytest.mark.usefixtures("own_archive_files")
def test_subjects_load_beside_another_committee_meeting_the_same_day(newest_meeting):
    import io

    from django.core.management import call_command

    from meetings.models import Committee, Meeting

    other = Committee.objects.create(
        code="autre",
        name_fr="Autre comité",
        name_en="Other committee",
        acronym_fr="AC",
        acronym_en="OC",
        department_fr="Ministère",
        department_en="Department",
        original_language="fr",
    )
    meeting = Meeting.objects.create(
        committee=other, date=newest_meeting.date, title_fr="Réunion", title_en="Meeting", objective_fr="But."
    )
    theme = meeting.themes.create(title_fr="Thème", title_en="Theme", position=1)
    stranger = theme.recommendations.create(text_fr="Texte.", text_en="Text.", position=1)
    output = io.StringIO()
    call_command("load_archive", stdout=output)
    assert "Subjects loaded: 0 created, 26 unchanged" in output.getvalue()
    assert not stranger.subjects.exists()


@pytest.mark.usefixtures("own_archive_files")
def test_a_load_under_english_keeps_french_in_the_untranslated_columns(newest_meeting):
    import io

    from django.core.management import call_command
    from django.db.models import F
    from django.utils import translation

    from meetings.models import Recommendation

    date = newest_meeting.date
    newest_meeting.delete()
    with translation.override("en"):
        call_command("load_archive", stdout=io.StringIO())
    reloaded = Recommendation.objects.filter(theme__meeting__date=date)
    assert reloaded.count() == 16
    assert not reloaded.exclude(text=F("text_fr")).exists()
