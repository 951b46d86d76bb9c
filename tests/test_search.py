"""
Search behaviour. The same tests run on SQLite (FTS5) and on PostgreSQL
(full-text search): `.ci/run` runs the suite on both databases.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Meeting, Recommendation, Theme
from meetings.search.engine import search_recommendations
from tests.sort_keys import copies_out_of_step

pytestmark = pytest.mark.django_db


def texts(results, language="fr"):
    return [getattr(hit.recommendation, f"text_{language}") for hit in results.page.object_list]


def search(query, language="fr", **options):
    return search_recommendations(query, language, **options)


def contains_word_like(results, fragment, language="fr"):
    return all(
        fragment in getattr(hit.recommendation, f"text_{language}").lower()
        or fragment in hit.recommendation.theme.title.lower()
        or fragment in hit.recommendation.theme.meeting.title.lower()
        for hit in results.page.object_list
    )


def test_french_singular_finds_plural():
    results = search("donnée")
    assert results.total > 0
    assert any("données" in text for text in texts(results))


def test_french_plural_finds_singular(newest_meeting):
    theme = newest_meeting.themes.first()
    singular = theme.recommendations.create(text_fr="Une recommandation.", text_en="x", position=99)
    found = [hit.recommendation.pk for hit in search("recommandations", sort="newest").page.object_list]
    assert singular.pk in found
    assert search("recommandations").total == search("recommandation").total


def test_english_plural_finds_singular(newest_meeting):
    theme = newest_meeting.themes.first()
    singular = theme.recommendations.create(text_fr="x", text_en="One partnership.", position=99)
    found = [hit.recommendation.pk for hit in search("partnerships", "en", sort="newest").page.object_list]
    assert singular.pk in found
    assert search("partnership", "en").total == search("partnerships", "en").total > 1


def test_unaccented_query_finds_accented_text():
    results = search("numerique")
    assert results.total > 0
    assert all(
        "numériqu" in hit.highlighted.lower() or "numériqu" in hit.recommendation.theme.title.lower()
        for hit in results.page.object_list[:3]
    )


def test_accented_query_finds_the_same_as_unaccented():
    assert search("Numérique").total == search("numerique").total == search("NUMERIQUE").total


def test_accented_query_matches_unaccented_text(newest_meeting):
    theme = newest_meeting.themes.first()
    theme.recommendations.create(text_fr="Un service numerique sans accents.", text_en="x", position=99)
    assert "Un service numerique sans accents." in texts(search("numérique", sort="newest"), "fr")


def test_stop_words_alone_are_refused_politely():
    for query, language in (("les des", "fr"), ("the", "en"), ("de la", "fr")):
        results = search(query, language)
        assert results.problem == "stop_words"
        assert results.total == 0


def test_stop_words_are_ignored_beside_real_words():
    assert search("les passeports").total == search("passeports").total > 0


def test_phrase_is_stricter_than_words():
    words = search("intelligence artificielle")
    phrase = search('"intelligence artificielle"')
    assert 0 < phrase.total <= words.total
    assert all(
        "intelligence artificielle" in hit.highlighted.replace("<mark>", "").replace("</mark>", "")
        or "intelligence artificielle" in hit.recommendation.theme.title
        for hit in phrase.page.object_list
    )


def test_exclusion_removes_matches():
    everything = search("intelligence artificielle")
    without = search("intelligence artificielle -automatisation")
    assert 0 < without.total < everything.total
    for hit in without.page.object_list:
        recommendation = hit.recommendation
        assert "automatisation" not in recommendation.text_fr.lower()
        assert "automatisation" not in recommendation.theme.title.lower()


def test_or_accepts_either():
    passport = search("passeport").total
    ai = search('"intelligence artificielle"').total
    both = search('passeport OR "intelligence artificielle"').total
    assert max(passport, ai) < both <= passport + ai


def test_unbalanced_quotes_and_stray_operators_are_tolerated():
    assert search('"intelligence artificielle').total == search('"intelligence artificielle"').total
    assert search("OR passeport OR").total == search("passeport").total
    assert search("- passeport -").total == search("passeport").total


def test_only_exclusions_ask_for_a_word():
    assert search("-passeport").problem == "only_excluded"


def test_a_match_in_the_text_ranks_above_a_match_in_a_title(newest_meeting):
    theme = newest_meeting.themes.create(
        title_fr="Zythologie appliquée", title_en="Applied zythology", position=9
    )
    in_title = theme.recommendations.create(text_fr="Rien de particulier.", text_en="Nothing.", position=1)
    other = newest_meeting.themes.get(position=1)
    in_text = other.recommendations.create(
        text_fr="La zythologie mérite une étude.", text_en="Zythology deserves study.", position=99
    )
    results = search("zythologie")
    assert [hit.recommendation.pk for hit in results.page.object_list] == [in_text.pk, in_title.pk]
    results = search("zythology", "en")
    assert [hit.recommendation.pk for hit in results.page.object_list] == [in_text.pk, in_title.pk]


def test_meeting_title_matches_count():
    results = search("passeports")
    meeting = Meeting.objects.get(date="2023-01-19")
    recommendations_of_meeting = Recommendation.objects.filter(theme__meeting=meeting).count()
    assert results.total >= recommendations_of_meeting


def test_results_are_highlighted_and_escaped(newest_meeting):
    theme = newest_meeting.themes.first()
    theme.recommendations.create(
        text_fr='<img src=x onerror=alert(1)> Le xylophone & la "musique".', text_en="x", position=99
    )
    results = search("xylophone")
    highlighted = results.page.object_list[0].highlighted
    assert "<img" not in highlighted
    assert "&lt;img src=x onerror=alert(1)&gt;" in highlighted
    assert "<mark>xylophone</mark>" in highlighted
    assert "&amp;" in highlighted


def test_highlighting_marks_every_form_of_the_word():
    hit = search("donnée").page.object_list[0]
    assert "<mark>données</mark>" in hit.highlighted or "<mark>donnée</mark>" in hit.highlighted


def test_highlighting_finds_capitals_accents_and_endings_and_leaves_other_text_as_it_is():
    from meetings.search.highlight import highlight
    from meetings.search.query import parse_query

    terms = parse_query("numerique services", "fr").terms
    assert highlight("Les SERVICES NUMÉRIQUES d’abord", terms, "fr") == (
        "Les <mark>SERVICES</mark> <mark>NUMÉRIQUES</mark> d’abord"
    )
    assert highlight("Rien à marquer <ici>", terms, "fr") == "Rien à marquer &lt;ici&gt;"


def test_sentinel_characters_in_text_cannot_fake_a_highlight(newest_meeting):
    theme = newest_meeting.themes.first()
    theme.recommendations.create(
        text_fr="Un \ue000faux\ue001 surlignage du xylographe.", text_en="x", position=99
    )
    highlighted = search("xylographe").page.object_list[0].highlighted
    assert "<mark>faux</mark>" not in highlighted
    assert "<mark>xylographe</mark>" in highlighted


def test_search_in_both_languages_shows_the_page_language():
    french_only = search("partnerships", "fr", only_page_language=True)
    both = search("partnerships", "fr")
    assert french_only.total == 0
    assert both.total > 0
    # Hits are shown in French, the page's language.
    assert all(
        hit.recommendation.text_fr
        in hit.highlighted.replace("<mark>", "").replace("</mark>", "").replace("&#x27;", "'")
        for hit in both.page.object_list
    )


def test_sort_orders():
    newest = [
        hit.recommendation.theme.meeting.date for hit in search("services", sort="newest").page.object_list
    ]
    oldest = [
        hit.recommendation.theme.meeting.date for hit in search("services", sort="oldest").page.object_list
    ]
    assert newest == sorted(newest, reverse=True)
    assert oldest == sorted(oldest)
    assert newest[0] > oldest[0]


def test_year_filter_and_facet_counts():
    results = search("données")
    years = dict(results.years)
    assert sum(years.values()) == results.total
    filtered = search("données", year=2022)
    assert filtered.total == years[2022]
    assert all(hit.recommendation.theme.meeting.date.year == 2022 for hit in filtered.page.object_list)
    # The year facet still lists the other years, to switch between them.
    assert dict(filtered.years) == years


def test_meeting_filter_and_facet_counts():
    results = search("données")
    meeting, count = results.meetings[0]
    filtered = search("données", meeting=meeting.pk)
    assert filtered.total == count
    assert {hit.recommendation.theme.meeting for hit in filtered.page.object_list} == {meeting}


@pytest.mark.parametrize(
    "query", ["services", "services -données", '"service canada"', "données OR passeport"]
)
def test_the_last_meeting_read_is_counted_whole(monkeypatch, query):
    """When the candidates stop inside a meeting, its facet still counts all of its matches."""
    from meetings.search import engine

    monkeypatch.setattr(engine, "CANDIDATES", 7)
    monkeypatch.setattr(engine, "AT_ONCE_BELOW", 0)  # not every match read at once
    results = search(query)
    assert results.more
    for meeting, count in results.meetings:
        assert count == search(query, meeting=meeting.pk).total, meeting


def test_unknown_filters_give_nothing_not_an_error():
    assert search("données", year=1999).total == 0
    assert search("données", meeting=999999).total == 0


def test_pagination_by_twenty():
    results = search("services")
    assert results.total > 20
    assert len(results.page.object_list) == 20
    second = search("services", page=2)
    first_ids = {hit.recommendation.pk for hit in results.page.object_list}
    assert not first_ids & {hit.recommendation.pk for hit in second.page.object_list}
    last = search("services", page=999999)
    assert last.page.number == last.page.paginator.num_pages


def test_suggestions_come_from_the_archive_vocabulary():
    assert search("inteligence").suggestion == "intelligence"
    assert search("numeriqe").suggestion == "numérique"
    assert search("goverment", "en").suggestion == "government"
    assert search("numérique").suggestion == ""


def test_drafts_are_never_found(newest_meeting):
    before = search("intelligence artificielle").total
    newest_meeting.is_published = False
    newest_meeting.save()
    after = search("intelligence artificielle")
    assert after.total < before
    assert all(hit.recommendation.theme.meeting.is_published for hit in after.page.object_list)
    assert sum(count for _year, count in after.years) == after.total
    assert newest_meeting not in [meeting for meeting, _count in after.meetings]


def test_index_follows_an_edit():
    recommendation = Recommendation.objects.order_by("pk").first()
    assert search("hydroélectricité").total == 0
    recommendation.text_fr = recommendation.text_fr + " Pensez à l'hydroélectricité."
    recommendation.save()
    assert [hit.recommendation.pk for hit in search("hydroelectricite").page.object_list] == [
        recommendation.pk
    ]


def test_index_follows_a_new_recommendation_and_its_deletion(newest_meeting):
    theme = newest_meeting.themes.first()
    recommendation = theme.recommendations.create(text_fr="Le kayak.", text_en="Kayaking.", position=99)
    assert search("kayak").total == 1
    assert search("kayaking", "en").total == 1
    recommendation.delete()
    assert search("kayak").total == 0


def test_index_follows_theme_and_meeting_titles(newest_meeting):
    theme = newest_meeting.themes.first()
    count = theme.recommendations.count()
    theme.title_fr = "Ornithologie"
    theme.save()
    assert search("ornithologie").total == count
    newest_meeting.title_en = "Speleology"
    newest_meeting.save()
    assert (
        search("speleology", "en").total
        == Recommendation.objects.filter(theme__meeting=newest_meeting).count()
    )


def newest_first(query="services", **options):
    results = search(query, sort="newest", **options)
    return [hit.recommendation.theme.meeting.date.isoformat() for hit in results.page.object_list]


def test_search_follows_a_meeting_moved_to_another_date(newest_meeting):
    assert copies_out_of_step() == []
    assert newest_first()[0] == "2023-10-03"
    newest_meeting.date = "2019-05-06"
    newest_meeting.save()
    assert "2023-10-03" not in newest_first()
    assert {
        hit.recommendation.theme.meeting_id for hit in search("services", year=2019).page.object_list
    } == {newest_meeting.pk}
    assert copies_out_of_step() == []


def test_search_follows_publishing_even_by_a_bulk_update(newest_meeting):
    count = search("services").total
    in_meeting = search("services", meeting=newest_meeting.pk).total
    Meeting.objects.filter(pk=newest_meeting.pk).update(is_published=False)
    assert search("services").total == count - in_meeting
    assert search("services", meeting=newest_meeting.pk).total == 0
    Meeting.objects.filter(pk=newest_meeting.pk).update(is_published=True)
    assert search("services").total == count
    assert copies_out_of_step() == []


def test_search_follows_renumbered_themes_and_a_moved_recommendation(newest_meeting):
    first, second = newest_meeting.themes.order_by("position")[:2]
    moved = second.recommendations.order_by("position").first()
    # Renumbered as the admin does, through a free position.
    first.position, second.position = 99, 1
    first.save()
    second.save()
    first.position = 2
    first.save()
    moved.theme = first
    moved.position = 50
    moved.save()
    assert copies_out_of_step() == []
    in_order = [hit.recommendation.pk for hit in search("services", sort="newest").page.object_list]
    expected = list(
        Recommendation.objects.filter(pk__in=in_order)
        .order_by("-theme__meeting__date", "-theme__meeting_id", "theme__position", "position", "id")
        .values_list("pk", flat=True)
    )
    assert in_order == expected


def test_copies_are_right_for_rows_loaded_in_any_order(newest_meeting):
    """A new meeting, its theme and recommendation, as a restore writes them."""
    from meetings.models import Theme

    meeting = Meeting.objects.create(
        committee=newest_meeting.committee, date="2024-03-01", title_fr="Le tambour", title_en="Drums"
    )
    theme = Theme.objects.create(meeting=meeting, position=1, title_fr="Rythme", title_en="Rhythm")
    theme.recommendations.create(text_fr="Le tambour.", text_en="Drums.", position=1)
    assert copies_out_of_step() == []
    assert newest_first("tambour") == ["2024-03-01"]


def test_index_follows_a_deleted_meeting(newest_meeting):
    before = search("intelligence artificielle").total
    newest_meeting.delete()
    assert search("intelligence artificielle").total < before


def test_search_uses_the_index():
    """The match is answered by the full-text index, not by a scan of the table."""
    from meetings.search.backends import get_backend
    from meetings.search.query import parse_query

    sql, params = get_backend().matches(parse_query("numérique"), ("fr",))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "meetings_recommendation_search_fr" in plan
            assert "Seq Scan" not in plan
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's sample table")
@pytest.mark.parametrize(
    "step, index",
    [("SAMPLE_EVERY", ""), ("MIDDLE_SAMPLE_EVERY", "_middle"), ("COARSE_SAMPLE_EVERY", "_coarse")],
)
def test_the_count_estimate_reads_the_index_of_the_sample_alone(step, index):
    import importlib

    from meetings.search import engine
    from meetings.search.query import parse_query

    # The engine's samples are still those the migration keeps and indexes.
    migration = importlib.import_module("meetings.migrations.0017_search_sample_table")
    assert getattr(engine, step) == getattr(migration, step)
    search = engine.Search(parse_query("services", "fr"), "fr", engine.searched_languages("fr"))
    hits, params = search.hits_sql(with_year=False, sample_every=getattr(engine, step))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT r.meeting_date, COUNT(*) {hits} GROUP BY r.meeting_date", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"meetings_search_sample_fr{index} " in plan
    assert f"meetings_search_sample_en{index} " in plan
    assert "meetings_recommendation" not in plan


def sample_table_out_of_step():
    """The rows of the sample's table that differ from the recommendations they copy, either way."""
    columns = "id, meeting_date, meeting_pk, is_published, search_fr, search_en"
    with connection.cursor() as cursor:
        cursor.execute(
            f"(SELECT {columns} FROM meetings_recommendation WHERE id % 32 = 0 "
            f"EXCEPT SELECT {columns} FROM meetings_search_sample) UNION ALL "
            f"(SELECT {columns} FROM meetings_search_sample "
            f"EXCEPT SELECT {columns} FROM meetings_recommendation WHERE id % 32 = 0)"
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN indexes")
def test_no_search_index_queues_its_new_entries(newest_meeting):
    """A queued entry is read by every search until a VACUUM: each index takes it at once instead."""
    theme = Theme.objects.create(meeting=newest_meeting, position=99, title_fr="Tambours", title_en="Drums")
    theme.recommendations.create(pk=3200, text_fr="Le tambour.", text_en="The drum.", position=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gin' ORDER BY c.relname"
        )
        indexes = cursor.fetchall()
    assert [name for name, _options in indexes] == [
        "meetings_recommendation_search_en",
        "meetings_recommendation_search_fr",
        "meetings_recommendation_search_words",
        "meetings_search_sample_en",
        "meetings_search_sample_en_coarse",
        "meetings_search_sample_en_middle",
        "meetings_search_sample_fr",
        "meetings_search_sample_fr_coarse",
        "meetings_search_sample_fr_middle",
        "meetings_searchterm_trigram",
    ]
    assert all(options == ["fastupdate=off"] for _name, options in indexes)
    assert search_recommendations("tambour", "fr").total == 1


def test_rebuilding_the_search_index_changes_no_answer():
    """``manage.py rebuild_search_index``, after a load that bypassed the triggers: the same hits, counts and facets."""
    from django.core.management import call_command

    queries = [("services", "fr"), ("passport", "en"), ('"service canada"', "fr")]

    def answers():
        return [
            (
                [hit.recommendation.pk for hit in results.page.object_list],
                results.total,
                results.years,
                [(meeting.pk, n) for meeting, n in results.meetings],
            )
            for results in (search(query, language) for query, language in queries)
        ]

    before = answers()
    assert all(total for _ids, total, _years, _meetings in before)
    call_command("rebuild_search_index")
    assert answers() == before
    if connection.vendor == "postgresql":
        assert sample_table_out_of_step() == []
        # Written again in reading order: the middle sample's rows (every 64th id) first.
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM meetings_search_sample ORDER BY ctid")
            written = [pk for (pk,) in cursor.fetchall()]
        assert written == sorted(written, key=lambda pk: (pk % 256 != 0, pk % 64 != 0, pk))
        assert written[0] % 64 == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's sample table")
def test_the_sample_table_follows_every_edit(newest_meeting):
    """Its rows are those of the recommendations whose id is a multiple of 32, after any edit."""
    from meetings.models import Theme

    # One migrate and the archive's loading filled it (recommendations 32, 64, 96).
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM meetings_search_sample")
        assert cursor.fetchone()[0] > 0
    assert sample_table_out_of_step() == []
    theme = Theme.objects.create(meeting=newest_meeting, position=99, title_fr="Tambours", title_en="Drums")
    # Ids that the sample holds, and one it does not.
    sampled = [
        theme.recommendations.create(pk=3200 + 32 * n, text_fr="Le tambour.", text_en="The drum.", position=n)
        for n in (1, 2)
    ]
    theme.recommendations.create(pk=3201, text_fr="Le tambour.", text_en="The drum.", position=3)
    assert sample_table_out_of_step() == []
    sampled[0].text_fr = "La flûte."
    sampled[0].save()
    theme.title_en = "Flutes"
    theme.save()
    Recommendation.objects.filter(pk=sampled[1].pk).update(text_en="The flute.")
    assert sample_table_out_of_step() == []
    newest_meeting.is_published = False
    newest_meeting.date = datetime.date(2001, 1, 1)
    newest_meeting.save()
    assert sample_table_out_of_step() == []
    sampled[1].delete()
    assert sample_table_out_of_step() == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM meetings_search_sample WHERE id >= 3200")
        assert cursor.fetchall() == [(sampled[0].pk,)]
    newest_meeting.delete()
    assert sample_table_out_of_step() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's TOAST relations")
def test_a_long_recommendation_keeps_its_search_vectors_in_its_row(newest_meeting):
    """Read where the row is, the vectors cost a search half as much as from the TOAST relation."""
    theme = newest_meeting.themes.first()
    vocabulary = [
        f"{prefix}{suffix}" for prefix in ("servic", "donn", "acc", "num") for suffix in "abcdefghij"
    ]
    french = " ".join(vocabulary[index * 7 % 40] + "érique" for index in range(180))
    english = " ".join(vocabulary[index * 11 % 40] + "ical" for index in range(180))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'meetings_recommendation'"
        )
        toast = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {toast}")
        chunks_before = cursor.fetchone()[0]
        recommendation = theme.recommendations.create(text_fr=french, text_en=english, position=99)
        cursor.execute(
            "SELECT pg_column_size(r.*), pg_column_size(r.search_fr) + pg_column_size(r.search_en) "
            "FROM meetings_recommendation r WHERE r.id = %s",
            [recommendation.pk],
        )
        row, vectors = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*) FROM {toast}")
        chunks_after = cursor.fetchone()[0]
    # Past the 2 kB after which PostgreSQL would move the vectors out, by default.
    assert row > 2032 and vectors > 1000
    assert chunks_after == chunks_before
    assert search("donnaérique").total >= 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="compares with PostgreSQL's to_tsvector; runs in the PostgreSQL pass",
)
def test_python_folding_matches_postgresql_for_the_whole_archive():
    """SQLite's index is folded in Python; it must hold PostgreSQL's lexemes exactly."""
    from meetings.search.text import fold

    with connection.cursor() as cursor:
        for language, config in (("fr", "french_unaccent"), ("en", "english_unaccent")):
            cursor.execute(
                f"SELECT text_{language}, array(SELECT lexeme FROM unnest(to_tsvector('{config}', text_{language})))"
                " FROM meetings_recommendation"
            )
            for text, lexemes in cursor.fetchall():
                assert set(fold(text, language).split()) == set(lexemes), text


def test_unaccent_applies_every_rule_wherever_it_falls():
    """Each character of PostgreSQL's rules file, alone, in a run, between ASCII letters or at the ends."""
    from meetings.search.text import _unaccent_rules, unaccent

    rules = _unaccent_rules()
    assert len(rules) > 1000
    for code, target in rules.items():
        character = chr(code)
        assert (
            unaccent(f"{character}a{character}{character}é b{character}")
            == f"{target}a{target}{target}e b{target}"
        )
    assert unaccent("Plain ASCII, left as it is.") == "Plain ASCII, left as it is."
    assert unaccent("Œuvre numérique — 中文") == "OEuvre numerique - 中文"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_words_are_stemmed_in_c_as_the_pure_python_snowball_stems_them(language):
    """PyStemmer stems (a search stems thousands of words a second), with the very stems of Snowball 2.2."""
    from snowballstemmer.english_stemmer import EnglishStemmer
    from snowballstemmer.french_stemmer import FrenchStemmer

    from meetings.search.text import _stemmer, unaccent, words

    assert type(_stemmer(language)).__module__ == "Stemmer", "the C stemmer is not installed"
    pure = {"fr": FrenchStemmer, "en": EnglishStemmer}[language]()
    archive = {
        unaccent(word).lower()
        for text in Recommendation.objects.values_list(f"text_{language}", flat=True)
        for word in words(text)
    }
    assert len(archive) > 500
    assert {word: _stemmer(language).stemWord(word) for word in archive} == {
        word: pure.stemWord(word) for word in archive
    }


@pytest.mark.parametrize(
    ("folded", "wanted", "starts"),
    [
        (("servic", "", "personn"), ["servic", "", "personn"], [0]),
        # A stop word's place in the phrase takes any word, as in the index.
        (("servic", "a", "personn", "servic", "b", "personn"), ["servic", "", "personn"], [0, 3]),
        # Repeated words: every place, overlapping ones too.
        (("a", "a", "a"), ["a", "a"], [0, 1]),
        # The phrase's first word near the end, with no room for the rest.
        (("x", "servic"), ["servic", "personn"], []),
        # A phrase that starts with a stop word starts a word before its first stem.
        (("de", "confianc"), ["", "confianc"], [0]),
        (("confianc",), ["", "confianc"], []),
        (("de", "public"), ["", ""], []),
    ],
)
def test_a_phrase_is_found_at_each_place_its_words_stand_side_by_side(folded, wanted, starts):
    from meetings.search.text import phrase_starts

    assert phrase_starts(folded, wanted) == starts


def test_the_models_know_nothing_of_search():
    """Search is a layer above the models: the models module never imports it."""
    import ast

    import meetings.models

    tree = ast.parse(open(meetings.models.__file__, encoding="utf-8").read())
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    ]
    assert not [name for name in imported if "search" in name]


@pytest.mark.parametrize("operator", ["or", "OU", "ou", "|"])
def test_every_way_of_writing_or_means_or(operator):
    assert search(f"passeport {operator} données").total == search("passeport OR données").total
    assert search("passeport OR données").total > search("passeport").total
    assert search(f"passport {operator} indigenous", "en").total > search("passport", "en").total


def test_a_draft_s_words_are_never_suggested(newest_meeting):
    recommendation = newest_meeting.themes.first().recommendations.first()
    recommendation.text_fr = "Le projet Zanzibarique est confidentiel."
    recommendation.save()
    newest_meeting.is_published = False
    newest_meeting.save()
    from meetings.search.vocabulary import rebuild_search_terms

    rebuild_search_terms()
    assert "zanzibarique" not in search("zanzibariqe").suggestion
    assert "zanzibarique" not in search("zanzibariqe OR pasepor").suggestion


def test_a_bounded_search_ranks_the_newest_matches_and_counts_every_match(monkeypatch):
    from meetings.search import engine

    everything = search("services", sort="newest")
    monkeypatch.setattr(engine, "CANDIDATES", 10)
    bounded = search("services", sort="newest")
    assert bounded.more and bounded.listed == 10
    newest = [hit.recommendation.pk for hit in everything.page.object_list[:10]]
    assert [hit.recommendation.pk for hit in bounded.page.object_list] == newest
    # The total and the facets count every match, not only those ranked.
    assert bounded.total == everything.total and not bounded.estimated
    assert bounded.years == everything.years
    assert dict(bounded.meetings).items() <= dict(everything.meetings).items()
    # Past ESTIMATED_BEST_BELOW matches, relevance ranks the newest.
    monkeypatch.setattr(engine, "ESTIMATED_BEST_BELOW", 10)
    relevance = search("services")
    assert not relevance.estimated_best
    assert {hit.recommendation.pk for hit in relevance.page.object_list} == set(newest)


def test_with_few_enough_matches_relevance_ranks_those_estimated_best(monkeypatch):
    """The first page under a bound is drawn from the best matches, not the newest."""
    from meetings.search import engine

    exhaustive = [hit.recommendation.pk for hit in search("clients").page.object_list]
    monkeypatch.setattr(engine, "CANDIDATES", 10)
    bounded = search("clients")
    assert bounded.more and bounded.estimated_best and bounded.listed == 10
    ranked = [hit.recommendation.pk for hit in bounded.page.object_list]
    newest = [hit.recommendation.pk for hit in search("clients", sort="newest").page.object_list]
    # The best three of every match are among the ten the database estimates
    # best, ranked in the same order; the ten newest would miss some of them.
    assert [pk for pk in ranked if pk in exhaustive[:3]] == exhaustive[:3]
    assert not set(exhaustive[:3]) <= set(newest[:10])


@pytest.mark.parametrize("query", ["clients", "services numériques", "services en ligne"])
def test_the_estimate_of_the_matches_alone_orders_them_as_scoring_every_row_would(monkeypatch, query):
    """SQLite scores only the matches with BM25, not every row holding one of the words."""
    from meetings.search import engine
    from meetings.search.backends import get_backend
    from meetings.search.query import parse_query

    monkeypatch.setattr(engine, "CANDIDATES", 3)
    run = engine.Search(parse_query(query, "fr"), "fr", ("fr", "en"))
    run.run()
    assert run.estimated_best
    among_the_matches = run.best_candidates()
    backend = type(get_backend())
    everywhere = backend.index_score_sql
    monkeypatch.setattr(
        backend,
        "index_score_sql",
        lambda self, query, language, languages, among=None: everywhere(self, query, language, languages),
    )
    assert run.best_candidates() == among_the_matches


def ranked(query, language="fr", **options):
    """Every match's id, in the order the pages list them."""
    from meetings.search.engine import Search, searched_languages
    from meetings.search.query import parse_query

    run = Search(parse_query(query, language), language, searched_languages(language), **options)
    run.run()
    return run.ranked_ids()


@pytest.mark.parametrize("query", ["clients", "services numériques"])
def test_past_the_rescore_window_ranking_takes_the_best_estimated_first(monkeypatch, query):
    """ranking.py ranks the candidates the database estimates best; the others follow them (PostgreSQL)."""
    from meetings.search import engine

    whole = ranked(query)
    assert len(whole) > 10
    monkeypatch.setattr(engine, "RESCORE_WINDOW", 10)
    windowed = ranked(query)
    # The same matches, each once; the best three of all come first, in the same order.
    assert sorted(windowed) == sorted(whole)
    assert windowed[:3] == whole[:3]
    # The page, its counts and its facets are those of the whole ranking.
    page = search(query)
    assert [hit.recommendation.pk for hit in page.page.object_list][:3] == whole[:3]
    monkeypatch.setattr(engine, "RESCORE_WINDOW", 10**6)
    assert page.total == search(query).total and page.years == search(query).years


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's estimate is read from its full-text index, by id; runs in the PostgreSQL pass",
)
@pytest.mark.parametrize("query", ["clients", "services", "services -numériques", "services OR données"])
def test_the_query_that_reads_the_candidates_estimates_them_as_a_read_by_id_would(monkeypatch, query):
    """The first estimate comes with the candidates, in the same order as reading them again would give."""
    from meetings.search import engine
    from meetings.search.query import parse_query

    monkeypatch.setattr(engine, "CANDIDATES", 12)
    monkeypatch.setattr(engine, "ESTIMATED_BEST_BELOW", 0)
    monkeypatch.setattr(engine, "RESCORE_WINDOW", 4)
    run = engine.Search(parse_query(query, "fr"), "fr", ("fr", "en"))
    run.run()
    assert run.more and not run.estimated_best
    # One more than the candidates is read, to tell whether there are more.
    assert run.estimated_rank is not None and {row[0] for row in run.candidate_rows} < set(run.estimated_rank)
    with_the_candidates = run.best_estimated_first(run.candidate_rows)
    run.estimated_rank = None
    with CaptureQueriesContext(connection) as queries:
        read_again = run.best_estimated_first(run.candidate_rows)
    assert len(queries) == 1
    assert with_the_candidates == read_again
    # The page ranks the best estimated first: the four ranked lead the list.
    assert {row[0] for row in run.rows[:4]} == {row[0] for row in read_again[:4]}


def test_past_the_count_bound_counts_are_estimated_and_no_year_goes_missing(monkeypatch):
    from meetings.search import engine

    everything = search("services")
    monkeypatch.setattr(engine, "CANDIDATES", 10)
    monkeypatch.setattr(engine, "COUNT_BOUND", 20)
    monkeypatch.setattr(engine, "SAMPLE_EVERY", 2)
    estimated = search("services")
    assert estimated.estimated and estimated.total.estimated
    assert {year for year, _count in estimated.years} == {year for year, _count in everything.years}
    assert sum(count for _year, count in estimated.years) == estimated.total
    # The sample holds every other id: the estimate is near the truth, not made up.
    assert abs(estimated.total - everything.total) <= everything.total / 2
    # Filtered by a year, the total says what the year's facet says.
    year, count = estimated.years[-1]
    assert search("services", year=year).total == count


def test_a_year_whose_every_recommendation_matches_is_estimated_at_its_size(monkeypatch, add_meetings):
    """The sample's share of the year's recommendations, not only its count, makes the estimate."""
    from meetings.search import engine

    add_meetings(10, "2030-01-01", recommendations=7)
    monkeypatch.setattr(engine, "CANDIDATES", 5)
    monkeypatch.setattr(engine, "COUNT_BOUND", 10)
    monkeypatch.setattr(engine, "AT_ONCE_BELOW", 0)
    for every in ("COARSE_SAMPLE_EVERY", "MIDDLE_SAMPLE_EVERY", "SAMPLE_EVERY"):
        monkeypatch.setattr(engine, every, 3)
    monkeypatch.setattr(engine, "SAMPLED_ENOUGH", 1)
    results = search("services")
    # 70 recommendations, 23 or 24 of them in the sample: 69 or 72 as a plain multiple of it.
    counts = dict(results.years)
    assert counts[2030] == 70 and counts[2030].estimated
    assert results.estimated and results.total == sum(counts.values())


def test_the_sizes_of_the_years_are_read_once_for_each_revision_of_the_archive(monkeypatch, add_meetings):
    """A pass over every recommendation: not once a search, even with the shared cache down.

    On PostgreSQL the database keeps the sizes (migration 0021): no search makes the pass.
    """
    from meetings.search import engine
    from meetings.search.backends import get_backend

    kept = get_backend().kept_population([1, 32, 64, 256]) is not None

    monkeypatch.setattr(engine, "CANDIDATES", 5)
    monkeypatch.setattr(engine, "COUNT_BOUND", 10)
    monkeypatch.setattr(engine, "AT_ONCE_BELOW", 0)
    monkeypatch.setattr(engine.cache, "get", lambda *args, **kwargs: None)

    def passes():
        with CaptureQueriesContext(connection) as queries:
            assert search("services").estimated
        return sum("SUM(CASE WHEN r.id" in query["sql"] for query in queries)

    add_meetings(1, "2030-01-01", recommendations=2)
    first, again = passes(), passes()
    add_meetings(1, "2030-02-01", recommendations=2)
    assert [first, again, passes()] == ([0, 0, 0] if kept else [1, 0, 1])


def test_the_middle_sample_estimates_the_years_the_coarse_one_holds_a_fair_share_of(small_samples):
    """Years the coarse sample holds too few of are read from the middle sample, and the rest from the fine one."""
    # No year is settled by the coarse sample; the largest ones likely are by the middle one.
    everything = small_samples()
    truth = dict(everything.years)
    with CaptureQueriesContext(connection) as queries:
        estimated = search("services")
    samples = [query["sql"] for query in queries if "COUNT(*)" in query["sql"] and "GROUP BY" in query["sql"]]
    middle = [sql for sql in samples if "% 2 = 0" in sql]
    fine = [sql for sql in samples if "% 1 = 0" in sql]
    assert len(middle) == 1 and len(fine) == 1
    # The fine sample reads only the years that the middle one did not settle.
    settled = {year for year, count in estimated.years if count.estimated and count != truth[year]}
    assert settled, "no year was estimated from the middle sample"
    assert fine[0].count("r.meeting_date >=") < len(truth)
    assert dict(estimated.years).keys() == truth.keys()
    assert sum(count for _year, count in estimated.years) == estimated.total
    assert abs(estimated.total - everything.total) <= everything.total / 2


@pytest.mark.parametrize("above_the_margin", [True, False])
def test_a_search_the_fine_sample_finds_too_many_for_is_not_counted_first(monkeypatch, above_the_margin):
    """Just past the bound, the fine sample decides whether counting up to the bound is worth trying."""
    from meetings.search import engine

    everything = search("services")
    matches = everything.total
    monkeypatch.setattr(engine, "CANDIDATES", 5)
    monkeypatch.setattr(engine, "AT_ONCE_BELOW", 0)
    # Samples of every id: the estimates are the counts, and the margin is all that decides.
    monkeypatch.setattr(engine, "COARSE_SAMPLE_EVERY", 1)
    monkeypatch.setattr(engine, "SAMPLE_EVERY", 1)
    bound = matches // 2 + 1 if above_the_margin else matches - 1
    monkeypatch.setattr(engine, "COUNT_BOUND", bound)
    with CaptureQueriesContext(connection) as queries:
        results = search("services")
    tried = [
        query["sql"]
        for query in queries
        if query["sql"].startswith("SELECT d, COUNT(*)") and "r.meeting_date >=" not in query["sql"]
    ]
    assert bool(tried) != above_the_margin
    assert results.total == matches and results.total.estimated
    assert results.years == everything.years


@pytest.mark.parametrize("year", [None, 2023])
@pytest.mark.parametrize("walk_max", [50_000, 3])
@pytest.mark.parametrize("query, sort", [("services clients", "relevance"), ("données numériques", "oldest")])
def test_reading_in_date_order_finds_the_same_first_candidates(monkeypatch, walk_max, query, sort, year):
    """Walking the date index (long enough, or too short and then the usual query), within a year too, changes nothing."""
    from meetings.search import engine
    from meetings.search.backends import get_backend

    monkeypatch.setattr(engine, "CANDIDATES", 6)
    monkeypatch.setattr(engine, "WALK_SHARE", 2.0)
    monkeypatch.setattr(engine, "AT_ONCE_BELOW", 0)  # see the next test but one
    usual = search(query, sort=sort, year=year)
    monkeypatch.setattr(engine, "COARSE_SAMPLE_EVERY", 1)
    monkeypatch.setattr(engine, "WALK_SHARE", 0.0)
    monkeypatch.setattr(engine, "WALK_MAX", walk_max)
    # SQLite does not walk by itself (its full-text matches come first); the SQL is the same.
    monkeypatch.setattr(get_backend().__class__, "walks_date_index", True)
    with CaptureQueriesContext(connection) as queries:
        walked = search(query, sort=sort, year=year)
    assert any(") r WHERE (" in query["sql"] for query in queries), "the date index was not walked"
    assert usual.more and walked.more
    assert [hit.recommendation.pk for hit in walked.page.object_list] == [
        hit.recommendation.pk for hit in usual.page.object_list
    ]
    assert walked.years == usual.years
    assert walked.total == usual.total


@pytest.mark.parametrize("margin", [1, 0.5])
@pytest.mark.parametrize("query, sort", [("services", "relevance"), ("données numériques", "oldest")])
def test_bounding_the_candidates_by_date_finds_the_same_first_candidates(monkeypatch, margin, query, sort):
    """A date bound from the sample (enough, or too close and then the usual query) changes nothing."""
    from meetings.search import engine
    from meetings.search.backends import get_backend

    monkeypatch.setattr(engine, "CANDIDATES", 6)
    monkeypatch.setattr(engine, "AT_ONCE_BELOW", 0)  # see the next test
    usual = search(query, sort=sort)
    monkeypatch.setattr(engine, "COARSE_SAMPLE_EVERY", 1)
    monkeypatch.setattr(engine, "WALK_SHARE", 2.0)
    # 1: the bound holds the first 7 matches; 0.5: at least 4, often too few.
    monkeypatch.setattr(engine, "BOUND_MARGIN", margin)
    # SQLite does not bound its candidates (FTS5 gives its matches first); the SQL is the same.
    monkeypatch.setattr(get_backend().__class__, "walks_date_index", True)
    with CaptureQueriesContext(connection) as queries:
        bounded = search(query, sort=sort)
    bound = f"AND r.meeting_date {'<=' if sort == 'oldest' else '>='} "
    assert any(bound in query["sql"] for query in queries), "the candidates were not bounded by date"
    assert usual.more and bounded.more
    assert [hit.recommendation.pk for hit in bounded.page.object_list] == [
        hit.recommendation.pk for hit in usual.page.object_list
    ]
    assert bounded.years == usual.years


@pytest.mark.parametrize("query", ["services", "données", "numérique"])
def test_reading_every_match_at_once_gives_what_the_usual_way_gives(monkeypatch, query):
    """One pass over few matches gives the same page, count, years and meetings as a pass for each."""
    from meetings.search import engine
    from meetings.search.backends import get_backend

    monkeypatch.setattr(engine, "CANDIDATES", 6)
    monkeypatch.setattr(engine, "COARSE_SAMPLE_EVERY", 1)
    # The usual way does not walk the date index for one word first (as SQLite does).
    monkeypatch.setattr(get_backend().__class__, "knows_word_shares", True)
    monkeypatch.setattr(engine, "AT_ONCE_BELOW", 0)
    with CaptureQueriesContext(connection) as usual_queries:
        usual = search(query)
    monkeypatch.setattr(engine, "AT_ONCE_BELOW", 10_000)
    with CaptureQueriesContext(connection) as queries:
        at_once = search(query)
    # The candidates, the count and the best estimated in one query, not three
    # (on SQLite two: the matches, then their estimate by id); and the last
    # meeting read is not counted again.
    assert len(queries) == len(usual_queries) - (3 if connection.vendor == "postgresql" else 2)
    assert at_once.more == usual.more and at_once.estimated_best == usual.estimated_best
    assert at_once.total == usual.total and at_once.years == usual.years
    assert [(meeting.pk, n) for meeting, n in at_once.meetings] == [
        (meeting.pk, n) for meeting, n in usual.meetings
    ]
    assert [hit.recommendation.pk for hit in at_once.page.object_list] == [
        hit.recommendation.pk for hit in usual.page.object_list
    ]


@pytest.mark.parametrize(
    "text, words, holds",
    [
        ("Améliorer la Numérique", "numerique", True),
        ("Une ŒUVRE collective", "oeuvre", True),
        ("une oeuvre", "œuvre", True),
        ("Centres d’appels", "d'appels", True),
        ("services en personne", "services personne", False),
        ("(a.b)*c", "(a.b)*", True),
        ("axb", "a.b", False),
        ("100 % en ligne", "100 %", True),
    ],
)
def test_the_first_estimate_finds_words_as_written_whatever_their_case_and_accents(
    newest_meeting, text, words, holds
):
    """Each database's test of "the text holds the words as typed" (Backend.contains_sql, typed_sql) agrees with Python's."""
    from meetings.search.backends import get_backend
    from meetings.search.text import unaccent

    assert (unaccent(words).lower() in unaccent(text).lower()) == holds
    recommendation = newest_meeting.themes.first().recommendations.create(
        text_fr="Rien.", text_en="Nothing.", position=99
    )
    # Written, then edited: what the database keeps to compare follows the text.
    Recommendation.objects.filter(pk=recommendation.pk).update(text_fr=text)
    sql, params = get_backend().contains_sql("fr", words)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN {sql} THEN 1 ELSE 0 END FROM meetings_recommendation r WHERE r.id = %s",
            [*params, recommendation.pk],
        )
        assert cursor.fetchone()[0] == holds
        # How many of several phrases it holds: the one that holds and the one that does not.
        sql, params = get_backend().typed_sql("fr", [words, "rien du tout", words])
        cursor.execute(
            f"SELECT {sql} FROM meetings_recommendation r WHERE r.id = %s", [*params, recommendation.pk]
        )
        assert cursor.fetchone()[0] == 2 * holds


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's table of plain copies; PostgreSQL's are columns"
)
def test_the_plain_copies_follow_every_edit_and_come_back_when_missing(newest_meeting):
    from meetings.search.backends import get_backend
    from meetings.search.backends.sqlite import PLAIN_TABLE

    def plain(pk):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT plain_fr, plain_en FROM {PLAIN_TABLE} WHERE id = %s", [pk])
            return cursor.fetchone()

    recommendation = newest_meeting.themes.first().recommendations.create(
        text_fr="Des services NUMÉRIQUES", text_en="Digital SERVICES", position=99
    )
    assert plain(recommendation.pk) == ("des services numeriques", "digital services")
    recommendation.text_fr = "Une Œuvre"
    recommendation.save()
    assert plain(recommendation.pk) == ("une oeuvre", "digital services")
    pk = recommendation.pk
    recommendation.delete()
    assert plain(pk) is None
    # Lost, or never made (a database from before them): the next migrate makes them again.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PLAIN_TABLE}")
    get_backend().after_migrate()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {PLAIN_TABLE}")
        assert cursor.fetchone()[0] == Recommendation.objects.count() > 0
    assert search("numérique").total > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plain copy of the texts")
def test_the_plain_copy_of_a_text_is_lowered_whatever_the_database_locale():
    """Under the C locale, lower() leaves "É" and "Œ" as they are: they are unaccented first."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT meetings_plain_text('ÉCOLE ŒUVRE Numérique' COLLATE "C")""")
        assert cursor.fetchone()[0] == "ecole oeuvre numerique"


def test_a_phrase_matches_its_words_side_by_side_only():
    """A stop word between two words keeps its place, on both databases: "expérience du client" is no match."""
    texts_found = [
        hit.recommendation.text_fr.lower() for hit in search('"expérience client"').page.object_list
    ]
    assert texts_found and not any("expérience du client" in text for text in texts_found)
    with_the_stop_word = search('"expérience du client"')
    assert any(
        "expérience du client" in hit.recommendation.text_fr.lower()
        for hit in with_the_stop_word.page.object_list
    )


def test_the_years_counted_apart_are_those_of_the_published_recommendations(newest_meeting):
    from meetings.search.engine import sampled_population

    assert set(sampled_population()) == {2021, 2022, 2023}
    old = Meeting.objects.create(
        committee=newest_meeting.committee, date="1999-12-31", title_fr="Ancienne", title_en="Old"
    )
    assert set(sampled_population()) == {2021, 2022, 2023}
    theme = old.themes.create(title_fr="Thème", title_en="Theme", position=1)
    theme.recommendations.create(text_fr="Une recommandation.", text_en="A recommendation.", position=1)
    for meeting in Meeting.objects.filter(date__year=2022):
        meeting.is_published = False
        meeting.save()
    assert set(sampled_population()) == {1999, 2021, 2023}


def test_the_sizes_of_the_years_follow_every_edit(newest_meeting, add_meetings):
    """What the search knows of each year's size is what a count of every recommendation gives, after each edit."""
    from meetings.search.engine import counted_population, sampled_population

    rates = sorted(sampled_population()[2023])

    def known():
        return sampled_population() == counted_population(connection, rates)

    assert known()
    meetings = add_meetings(3, "2030-01-30", recommendations=40)
    assert known() and sampled_population()[2030][1] == 120
    moved = meetings[0]
    moved.date = "2031-06-01"
    moved.save()
    assert known() and [sampled_population()[year][1] for year in (2030, 2031)] == [80, 40]
    meetings[1].is_published = False
    meetings[1].save()
    assert known() and sampled_population()[2030][1] == 40
    Recommendation.objects.filter(theme__meeting=meetings[2], position__gt=10).delete()
    assert known() and sampled_population()[2030][1] == 10
    meetings[2].delete()
    moved.delete()
    assert known() and not {2030, 2031} & set(sampled_population())


def test_a_match_in_the_theme_title_is_highlighted_there(newest_meeting):
    theme = newest_meeting.themes.create(title_fr="Zythologie <appliquée>", title_en="Zythology", position=9)
    theme.recommendations.create(text_fr="Rien de particulier.", text_en="Nothing.", position=1)
    hit = search("zythologie").page.object_list[0]
    assert "<mark>" not in hit.highlighted
    assert hit.theme_highlighted == "<mark>Zythologie</mark> &lt;appliquée&gt;"


# Finding what readers mean


@pytest.mark.parametrize(
    "query, language, subject",
    [
        ("chatbot", "en", "artificial-intelligence"),
        ("IA", "fr", "artificial-intelligence"),
        ("AI", "fr", "artificial-intelligence"),
        ("wait times", "en", "service-standards"),
        ("temps d'attente", "fr", "service-standards"),
        ("one-stop shop", "en", "service-delivery"),
        ("digital ID", "en", "digital-identity"),
        ("newcomers", "en", "newcomers"),
    ],
)
def test_readers_words_find_the_subject_they_name(query, language, subject):
    from meetings.models import Subject

    indexed = set(Subject.objects.get(slug_en=subject).recommendations.values_list("pk", flat=True))
    found = {hit.recommendation.pk for hit in search(query, language).page.object_list}
    assert indexed and indexed <= found


def test_subject_matches_rank_below_matches_of_the_words():
    results = search("intelligence artificielle")
    ranked = [hit.recommendation for hit in results.page.object_list]
    holds_the_words = ["intelligence artificielle" in r.text_fr.lower() for r in ranked]
    # Every recommendation holding the words comes before the one found through its subject alone.
    assert holds_the_words == sorted(holds_the_words, reverse=True)
    assert not holds_the_words[-1]


def test_the_index_follows_subject_edits():
    from meetings.models import Subject

    assert search("robotique", "fr").total == 0
    subject = Subject.objects.get(slug_en="artificial-intelligence")
    subject.use_for_fr += "\nrobotique"
    subject.save()
    assert search("robotique", "fr").total == subject.recommendations.count()
    recommendation = Recommendation.objects.get(text_en__startswith="Collaboration and partnerships")
    recommendation.subjects.add(subject)
    assert recommendation.pk in {hit.recommendation.pk for hit in search("robotique", "fr").page.object_list}


def test_a_query_in_the_other_language_finds_the_same_recommendations():
    french_page = {hit.recommendation.pk for hit in search("partnerships", "fr").page.object_list}
    english_page = {hit.recommendation.pk for hit in search("partnerships", "en").page.object_list}
    assert french_page == english_page and french_page


def test_hits_found_through_the_other_language_say_so():
    results = search("partnerships", "fr")
    # No French text holds "partnerships"; most hits are indexed under the subject
    # Partnerships, the others were found through their English text alone.
    through_english = [hit for hit in results.page.object_list if not hit.in_page_language]
    assert len(through_english) == results.other_language_hits > 0
    assert all(
        "partnership" in (hit.recommendation.text_en + hit.recommendation.theme.title_en).lower()
        for hit in through_english
    )
    assert all(hit.in_page_language for hit in search("partnerships", "en").page.object_list)


def test_the_very_word_ranks_above_a_stem_collision():
    # In French, "data" and "date" share the stem "dat"; the English word "data" is the true match.
    top = search("data", "fr").page.object_list[0].recommendation
    assert "data" in top.text_en.lower().split() or "data" in top.text_en.lower()
    assert "date" not in top.text_fr.lower().replace("données", "")


def test_adjacent_words_rank_above_scattered_ones():
    results = search("services numériques")
    top = results.page.object_list[0].recommendation
    assert "services numériques" in (top.text_fr + " " + top.theme.title_fr).lower()


def test_a_quoted_phrase_highlights_the_phrase_only():
    hit = search('"intelligence artificielle"').page.object_list[0]
    assert "<mark>intelligence artificielle</mark>" in hit.highlighted
    assert "<mark>intelligence</mark>" not in hit.highlighted


def test_a_long_query_finds_what_holds_most_of_its_words():
    results = search("how to rebuild public trust after the passport delays", "en")
    assert results.relaxed and results.total > 0
    top = results.page.object_list[0].recommendation
    assert "trust" in top.text_en.lower() and "passport" in top.text_en.lower()


@pytest.mark.parametrize(
    "query, language, refused",
    [
        ("AI", "en", "aim"),
        ("acessibility", "en", "visibility"),
        ("données", "fr", "done"),
        ("aînés", "fr", "domaines"),
    ],
)
def test_did_you_mean_never_offers_an_unrelated_word(query, language, refused):
    assert search(query, language).suggestion != refused


def test_did_you_mean_respells_within_two_edits():
    from meetings.search.suggestions import edit_distance

    assert search("acessibility", "en").suggestion == "accessibility"
    assert search("partenarats").suggestion == "partenariats"
    assert edit_distance("acessibility", "accessibility") == 1
    assert edit_distance("ab", "ba") == 1


def test_folding_is_safe_from_several_threads():
    """Snowball's stemmers keep their current word: each thread must have its own."""
    from concurrent.futures import ThreadPoolExecutor

    from meetings.search import text

    words = [
        f"{stem}{ending}"
        for stem in ("numér", "organis", "partenar", "consult")
        for ending in ("ique", "ations", "iat", "er")
    ]
    expected = {word: text._stemmer("fr").stemWord(word) for word in words}

    def stem_all(_):
        stemmer = text._stemmer("fr")
        return all(stemmer.stemWord(word) == expected[word] for word in words * 200)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(stem_all, range(16)))


@pytest.mark.parametrize(
    "text", ["services", "données -automatisation", "passeport OR autochtones", '"services en personne"']
)
@pytest.mark.parametrize("every", [2, 3, 32])
def test_a_sample_holds_exactly_the_matches_whose_id_is_a_multiple(text, every):
    """Whatever each database reads for a sample (a table, or the index's rows sampled), it is the same matches."""
    from collections import Counter

    from meetings.search.engine import Search, _as_date, searched_languages
    from meetings.search.query import parse_query

    search = Search(parse_query(text, "fr"), "fr", searched_languages("fr"))
    matches = search.candidates(limit=10_000)
    assert matches, "nothing to sample"
    expected = Counter(date for pk, _meeting, date in matches if pk % every == 0)
    assert {_as_date(day): n for day, n in search.sampled_dates(every)} == expected
    by_year = Counter()
    for day, n in expected.items():
        by_year[day.replace(month=1, day=1)] += n
    assert {_as_date(day): n for day, n in search.sampled_dates(every, by_year=True)} == by_year
    counted = Counter(date.replace(month=1, day=1) for _pk, _meeting, date in matches)
    assert {_as_date(day): n for day, n in search.counted_dates(10_000, by_year=True)} == counted


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's own settings; runs in the PostgreSQL pass",
)
def test_searches_run_with_the_memory_a_common_pair_of_words_needs():
    """Without it, the bitmap of "Indigenous communities" at a million turns lossy and its sort spills to disk."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == "16MB"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_search_memory_is_the_operators_to_set(monkeypatch):
    from ccs_archive.settings import database_settings

    monkeypatch.setenv("DATABASE_WORK_MEM", "64MB")
    options = database_settings("postgres://archive@db.example/archive")["OPTIONS"]["options"]
    assert options.split() == ["-c", "jit=off", "-c", "work_mem=64MB"]
    assert "OPTIONS" not in database_settings("sqlite:////tmp/archive.sqlite3")


WORDS_QUERIES = [
    "services numériques",
    "données personnelles",
    "intelligence artificielle",
    "Indigenous communities",
    "call centre",
    "passeport OR données",
    "services -numériques",
    '"services en personne" clients',
    "transparence confiance",
    "accessibility data",
]


@pytest.mark.parametrize("query", WORDS_QUERIES)
@pytest.mark.parametrize("only_page_language", [False, True])
def test_the_index_of_all_the_words_finds_every_match(query, only_page_language):
    """PostgreSQL reads a query of several words from one index of both vectors; the matches are the same."""
    from meetings.search.engine import Search, searched_languages
    from meetings.search.query import parse_query

    language = "en" if query[0] in "IcaA" else "fr"
    run = Search(parse_query(query, language), language, searched_languages(language, only_page_language))
    found = {}
    for name, sql, params in [
        ("indexed", run.matches_sql, run.matches_params),
        ("tested", run.tested_sql, run.tested_params),
    ]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT r.id FROM meetings_recommendation r WHERE ({sql}) AND r.is_published", params
            )
            found[name] = {pk for (pk,) in cursor.fetchall()}
    assert found["indexed"] == found["tested"]
    assert found["tested"] or query == "accessibility data"
    if connection.vendor == "postgresql":
        # Where there are several words to intersect, the index of them all is read.
        several = query not in ("passeport OR données", "services -numériques")
        assert ("(r.search_fr || r.search_en) @@" in run.matches_sql) == several


def test_a_query_of_several_words_finds_them_in_either_language(newest_meeting):
    """One word in the French text, the other in the English: a match, as each word may be in either."""
    theme = newest_meeting.themes.first()
    mixed = theme.recommendations.create(
        text_fr="Le zorblaxique reste.", text_en="The quuxification stays.", position=99
    )
    results = search("zorblaxique quuxification")
    assert [hit.recommendation.pk for hit in results.page.object_list] == [mixed.pk]
    assert search('"zorblaxique reste" quuxification').total == 1
