"""
The synthetic corpus for performance work (perf/corpus.py) and the
``generate_corpus`` command that loads it. The generator's tests need no
database; the command's run on SQLite and on PostgreSQL alike.
"""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.db.models import F

from meetings.models import Committee, Meeting, Recommendation, SearchTerm, Theme
from meetings.search.engine import search_recommendations
from meetings.search.text import fold, words
from meetings.search.vocabulary import count_words, rebuild_search_terms
from meetings.slugs import make_slug
from perf.corpus import RECOMMENDATIONS_PER_THEME, THEMES_PER_MEETING, generate_corpus, sentences
from perf.management.commands import generate_corpus as command_module
from tests.sort_keys import copies_out_of_step


def draw(records, n, seed):
    corpus = generate_corpus(records, n, seed)
    return corpus.committees, list(corpus.meetings())


def recommendation_texts(meetings, language):
    return [
        getattr(r, f"text_{language}")
        for meeting in meetings
        for theme in meeting.themes
        for r in theme.recommendations
    ]


def real_texts(records, language):
    return [r["fields"][f"text_{language}"] for r in records if r["model"] == "meetings.recommendation"]


def document_frequency(texts):
    """In how many texts each word (lower case) appears."""
    return Counter(word for text in texts for word in {w.lower() for w in words(text)})


@pytest.fixture(scope="module")
def sample(request):
    """A corpus of 3,000 recommendations, drawn once for the tests that only read it."""
    from tests.conftest import archive_records

    records = archive_records()
    return records, draw(records, 3000, seed=2024)


# The generator.


def test_same_seed_gives_the_same_corpus(records):
    assert draw(records, 400, seed=5) == draw(records, 400, seed=5)


def test_another_seed_gives_another_corpus(records):
    _committees, first = draw(records, 400, seed=5)
    _committees, second = draw(records, 400, seed=6)
    assert recommendation_texts(first, "fr") != recommendation_texts(second, "fr")
    assert [m.date for m in first] != [m.date for m in second]


def test_a_small_corpus_is_the_start_of_a_larger_one(records):
    _committees, small = draw(records, 200, seed=9)
    _committees, large = draw(records, 2000, seed=9)
    assert recommendation_texts(large, "en")[:150] == recommendation_texts(small, "en")[:150]


def test_corpus_holds_exactly_the_recommendations_asked_for(records):
    for n in (1, 17, 1000):
        _committees, meetings = draw(records, n, seed=1)
        assert sum(m.recommendation_count for m in meetings) == n


def test_meetings_respect_the_models_constraints(sample):
    _records, (committees, meetings) = sample
    assert len(committees) >= 20
    assert len({c.code for c in committees}) == len(committees)
    assert len({(m.committee, m.date) for m in meetings}) == len(meetings)
    assert len({(m.date, m.slug_fr) for m in meetings}) == len(meetings)
    assert len({(m.date, m.slug_en) for m in meetings}) == len(meetings)
    for meeting in meetings:
        assert datetime.date(2005, 1, 1) <= meeting.date < datetime.date(2025, 1, 1)
        assert meeting.slug_fr == make_slug(meeting.title_fr)
        assert meeting.slug_en == make_slug(meeting.title_en)
        assert 0 < len(meeting.title_fr) <= 300 and 0 < len(meeting.title_en) <= 300
        assert meeting.objective_fr and meeting.objective_en
        assert [t.position for t in meeting.themes] == list(range(1, len(meeting.themes) + 1))
        for theme in meeting.themes:
            assert 0 < len(theme.title_fr) <= 300 and 0 < len(theme.title_en) <= 300
            assert [r.position for r in theme.recommendations] == list(
                range(1, len(theme.recommendations) + 1)
            )
    # Only the last meeting may be cut short to reach the number asked for.
    for meeting in meetings[:-1]:
        assert THEMES_PER_MEETING[0] <= len(meeting.themes) <= THEMES_PER_MEETING[1]
        for theme in meeting.themes:
            assert RECOMMENDATIONS_PER_THEME[0] <= len(theme.recommendations) <= RECOMMENDATIONS_PER_THEME[1]
    years = Counter(m.date.year for m in meetings)
    assert len(years) == 20


@pytest.mark.parametrize("language", ["fr", "en"])
def test_text_is_made_of_the_archive_words(sample, language):
    records, (_committees, meetings) = sample
    real_vocabulary = {w.lower() for text in real_texts(records, language) for w in words(text)}
    generated = [w.lower() for text in recommendation_texts(meetings, language) for w in words(text)]
    assert len(generated) > 50_000
    assert sum(word in real_vocabulary for word in generated) / len(generated) > 0.99


@pytest.mark.parametrize("language", ["fr", "en"])
def test_sentences_are_shaped_like_real_ones(sample, language):
    records, (_committees, meetings) = sample
    texts = recommendation_texts(meetings, language)
    generated = [s for text in texts for s in sentences(text)]
    assert sum(s[0].isupper() or s[0] in '«"(' for s in generated) / len(generated) > 0.95
    assert sum(s.rstrip()[-1] in '.?!;:»)"' for s in generated) / len(generated) > 0.9
    real_mean = sum(map(len, real_texts(records, language))) / len(real_texts(records, language))
    assert 0.75 * real_mean < sum(map(len, texts)) / len(texts) < 1.25 * real_mean
    # Recombined, not copied: most recommendations are new text.
    assert len(set(texts)) / len(texts) > 0.8


def test_word_frequencies_look_like_real_text(sample):
    records, (_committees, meetings) = sample
    texts = recommendation_texts(meetings, "fr")
    frequency = document_frequency(texts)
    real = document_frequency(real_texts(records, "fr"))
    # The very common words stay very common, about as common as in the archive...
    for word in ("services", "clients"):
        share, real_share = frequency[word] / len(texts), real[word] / len(real_texts(records, "fr"))
        assert 0.5 * real_share < share < 1.6 * real_share
    # ... and most words are rare: a long tail, as in real text.
    shares = sorted(count / len(texts) for count in frequency.values())
    assert len(shares) > 800
    assert shares[len(shares) // 4] < 0.005
    assert shares[-1] > 0.4


def test_negative_sizes_are_refused(records):
    with pytest.raises(ValueError, match="cannot be negative"):
        generate_corpus(records, -1, seed=1)


# The command.


def generate(n=300, seed=11, **options):
    call_command(
        "generate_corpus", recommendations=n, seed=seed, stdout=StringIO(), stderr=StringIO(), **options
    )
    return Recommendation.objects.filter(theme__meeting__committee__code__startswith=f"corpus-{seed}-")


def table_sizes():
    return {model: model.objects.count() for model in (Committee, Meeting, Theme, Recommendation, SearchTerm)}


@pytest.mark.django_db
def test_command_loads_the_corpus_it_is_asked_for(records):
    loaded = generate(300, seed=11, batch_size=64)
    assert loaded.count() == 300
    committees, meetings = draw(records, 300, seed=11)
    assert Meeting.objects.filter(committee__code__startswith="corpus-11-").count() == len(meetings)
    first = meetings[0]
    stored = Meeting.objects.get(committee__code=committees[first.committee].code, date=first.date)
    assert (stored.title_fr, stored.title_en, stored.slug_fr, stored.slug_en) == (
        first.title_fr,
        first.title_en,
        first.slug_fr,
        first.slug_en,
    )
    stored_texts = Recommendation.objects.filter(theme__meeting=stored).order_by(
        "theme__position", "position"
    )
    assert list(stored_texts.values_list("text_fr", "text_en")) == [
        (r.text_fr, r.text_en) for theme in first.themes for r in theme.recommendations
    ]
    # The untranslated column holds the French text, as load_archive leaves it.
    assert not loaded.exclude(text=F("text_fr")).exists()
    # The loader sets the copies of the meeting's sort keys as the triggers would.
    assert copies_out_of_step() == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_corpus_is_searchable_right_after_loading(language):
    loaded = generate(300, seed=12).filter(theme__meeting__is_published=True)
    recommendation = loaded.order_by("pk")[7]
    phrase = " ".join(words(getattr(recommendation, f"text_{language}"))[:5])
    results = search_recommendations(f'"{phrase}"', language, meeting=recommendation.theme.meeting_id)
    assert recommendation.pk in [hit.recommendation.pk for hit in results.page.object_list]

    common = "services"
    containing = loaded.filter(**{f"text_{language}__icontains": common}).count()
    assert containing > 30
    assert search_recommendations(common, language).total >= containing


@pytest.mark.django_db
def test_vocabulary_is_recounted_as_rebuild_search_terms_would():
    generate(300, seed=13)
    recounted = set(SearchTerm.objects.values_list("language", "word", "normalized", "frequency"))
    rebuild_search_terms()
    assert set(SearchTerm.objects.values_list("language", "word", "normalized", "frequency")) == recounted


@pytest.mark.django_db
def test_vocabulary_counts_only_published_text():
    # A draft already in the archive, holding a word found nowhere else.
    draft = Meeting.objects.get(date="2023-10-03")
    Meeting.objects.filter(pk=draft.pk).update(is_published=False)
    Recommendation.objects.filter(theme__meeting=draft).update(text_fr="Un mot inédit : zorglubesque.")
    loaded = generate(300, seed=33)
    assert Meeting.objects.filter(committee__code__startswith="corpus-33-", is_published=False).exists()

    assert not SearchTerm.objects.filter(word="zorglubesque").exists()
    for language in ("fr", "en"):
        published = Counter()
        for queryset, column in (
            (Recommendation.objects.published(), "text"),
            (Theme.objects.filter(meeting__is_published=True), "title"),
            (Meeting.objects.published(), "title"),
        ):
            published.update(count_words(queryset.values_list(f"{column}_{language}", flat=True), language))
        stored = dict(SearchTerm.objects.filter(language=language).values_list("word", "frequency"))
        assert stored == dict(published)
    # The corpus's own drafts hold words too, and they are left out.
    drafts = loaded.filter(theme__meeting__is_published=False).values_list("text_fr", flat=True)
    assert sum(count_words(drafts, "fr").values()) > 0


@pytest.mark.django_db
def test_did_you_mean_counts_the_corpus_words():
    before = SearchTerm.objects.get(language="fr", word="services").frequency
    loaded = generate(300, seed=14)
    written = sum(text.lower().count("services") for text in loaded.values_list("text_fr", flat=True))
    assert SearchTerm.objects.get(language="fr", word="services").frequency >= before + written
    assert search_recommendations("servicse", "fr").suggestion in {"service", "services"}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search vectors")
def test_vectors_are_those_the_trigger_computes():
    loaded = generate(300, seed=15)
    ids = list(loaded.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        # In the order its reads want: the coarse sample's rows first, then the middle one's.
        cursor.execute("SELECT id FROM meetings_search_sample ORDER BY ctid")
        sampled = [pk for (pk,) in cursor.fetchall()]
        assert sampled == sorted(sampled, key=lambda pk: (pk % 256 != 0, pk % 64 != 0, pk))
        assert sampled[0] % 256 == 0
        cursor.execute(
            "SELECT id, search_fr, search_en, plain_fr, plain_en FROM meetings_recommendation WHERE id = ANY(%s)",
            [ids],
        )
        written = sorted(cursor.fetchall())
        assert all(plain_fr and plain_en for _id, _fr, _en, plain_fr, plain_en in written)
        # Setting a column to itself fires the trigger, which recomputes both vectors and plain texts.
        cursor.execute("UPDATE meetings_recommendation SET theme_id = theme_id WHERE id = ANY(%s)", [ids])
        cursor.execute(
            "SELECT id, search_fr, search_en, plain_fr, plain_en FROM meetings_recommendation WHERE id = ANY(%s)",
            [ids],
        )
        assert sorted(cursor.fetchall()) == written
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D' "
            "AND tgrelid IN ('meetings_recommendation'::regclass, 'meetings_theme'::regclass, "
            "'meetings_meeting'::regclass)"
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE %s", ["% USING gin (search_%"])
        # The bulk loader rebuilds every one of them, those of the sample table too.
        assert sorted(name for (name,) in cursor.fetchall()) == [
            "meetings_recommendation_search_en",
            "meetings_recommendation_search_fr",
            "meetings_search_sample_en",
            "meetings_search_sample_en_coarse",
            "meetings_search_sample_en_middle",
            "meetings_search_sample_fr",
            "meetings_search_sample_fr_coarse",
            "meetings_search_sample_fr_middle",
        ]
        # And the triggers filled the sample's table as they fill it for an edit.
        cursor.execute(
            "SELECT id, meeting_date, meeting_pk, is_published, search_fr, search_en "
            "FROM meetings_recommendation WHERE id % 32 = 0 ORDER BY id"
        )
        expected = cursor.fetchall()
        cursor.execute(
            "SELECT id, meeting_date, meeting_pk, is_published, search_fr, search_en "
            "FROM meetings_search_sample ORDER BY id"
        )
        assert expected and cursor.fetchall() == expected


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
def test_fts_rows_hold_the_folded_text():
    loaded = generate(300, seed=16)
    for recommendation in loaded.select_related("theme__meeting")[:50]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT text_fr, theme_fr, meeting_fr, text_en, theme_en, meeting_en "
                "FROM meetings_recommendation_fts WHERE rowid = %s",
                [recommendation.pk],
            )
            row = cursor.fetchone()
        theme, meeting = recommendation.theme, recommendation.theme.meeting
        assert row == (
            fold(recommendation.text_fr, "fr", gaps=True),
            fold(theme.title_fr, "fr", gaps=True),
            fold(meeting.title_fr, "fr", gaps=True),
            fold(recommendation.text_en, "en", gaps=True),
            fold(theme.title_en, "en", gaps=True),
            fold(meeting.title_en, "en", gaps=True),
        )


@pytest.mark.django_db
def test_a_failed_load_writes_nothing(monkeypatch):
    before = table_sizes()

    def fail():
        raise RuntimeError("injected failure after every row was written")

    monkeypatch.setattr(command_module, "rebuild_search_terms", fail)
    with pytest.raises(RuntimeError, match="injected"):
        generate(300, seed=17)
    assert table_sizes() == before
    assert not Committee.objects.filter(code__startswith="corpus-17-").exists()
    # The index still follows the data: a new recommendation is found at once.
    theme = Theme.objects.filter(meeting__is_published=True).first()
    theme.recommendations.create(text_fr="Un mot introuvable: zorglubesque.", text_en="x", position=999)
    assert search_recommendations("zorglubesque", "fr").total == 1


@pytest.mark.django_db
def test_loading_the_same_seed_twice_is_refused():
    generate(50, seed=18)
    with pytest.raises(IntegrityError):
        generate(50, seed=18)


@pytest.mark.django_db
def test_sizes_must_be_positive():
    with pytest.raises(CommandError):
        generate(0, seed=19)
