"""
What differs between PostgreSQL and SQLite: how a query finds its hits.

Each backend writes one SQL subquery, ``hits``, that yields ``id`` and
``rank`` for every recommendation whose text, theme title or meeting title
matches, in one language or in both. Everything around it (filters, order,
counts, facets) is shared SQL in ``engine.py``. Each backend also highlights
the terms in the text of the rows of one page, and finds the archive word
closest to a misspelt one.
"""

from django.db import connection

from .text import fold_word, similarity, unaccent, words

CONFIGS = {"fr": "french_unaccent", "en": "english_unaccent"}

# Private-use characters that no archive text holds: they mark a highlighted
# word until the text has been escaped, then become <mark> and </mark>.
MARK_START, MARK_END = "\ue000", "\ue001"
SENTINELS = MARK_START + MARK_END

# A title match counts, but less than a match in the recommendation itself.
# PostgreSQL weighs A (text) 1.0, B (theme title) 0.4, C (meeting title) 0.2;
# SQLite's bm25() takes the same proportions as column weights.
FTS_COLUMN_WEIGHTS = "10.0, 4.0, 2.0, 10.0, 4.0, 2.0"

SUGGESTION_THRESHOLD = 0.3


class PostgresBackend:
    def hits(self, query, languages):
        matches, ranks, params = [], [], []
        for language in languages:
            tsquery = f"websearch_to_tsquery('{CONFIGS[language]}', %s)"
            ranks.append(f"ts_rank(r.search_{language}, {tsquery})")
            matches.append(f"r.search_{language} @@ {tsquery}")
            params.append(query.as_websearch(language))
        rank = ranks[0] if len(ranks) == 1 else f"GREATEST({', '.join(ranks)})"
        params = params + params
        sql = f"SELECT r.id AS id, {rank} AS rank FROM meetings_recommendation r WHERE {' OR '.join(matches)}"
        return sql, params

    def highlight(self, ids, query, language):
        """{id: text with sentinels around the matched words}."""
        if not ids:
            return {}
        sql = (
            f"SELECT r.id, ts_headline('{CONFIGS[language]}', translate(r.text_{language}, %s, ''), "
            f"websearch_to_tsquery('{CONFIGS[language]}', %s), %s) "
            "FROM meetings_recommendation r WHERE r.id = ANY(%s)"
        )
        options = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [SENTINELS, query.as_websearch(language), options, list(ids)])
            return dict(cursor.fetchall())

    def closest_word(self, word, language):
        normalized = unaccent(word).lower()
        sql = (
            "SELECT word FROM meetings_searchterm WHERE language = %s AND normalized %% %s "
            "AND similarity(normalized, %s) >= %s "
            "ORDER BY similarity(normalized, %s) DESC, frequency DESC, word LIMIT 1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [language, normalized, normalized, SUGGESTION_THRESHOLD, normalized])
            row = cursor.fetchone()
        return row[0] if row else None


class SqliteBackend:
    def hits(self, query, languages):
        expressions = []
        for language in languages:
            expression = query.as_fts5(language)
            if expression:
                columns = f"text_{language} theme_{language} meeting_{language}"
                expressions.append(f"{{{columns}}} : ({expression})")
        if not expressions:
            # Only stop words: nothing can match.
            return "SELECT NULL AS id, NULL AS rank WHERE 0", []
        match = " OR ".join(f"({e})" for e in expressions)
        sql = (
            f"SELECT rowid AS id, -bm25(meetings_recommendation_fts, {FTS_COLUMN_WEIGHTS}) AS rank "
            "FROM meetings_recommendation_fts WHERE meetings_recommendation_fts MATCH %s"
        )
        return sql, [match]

    def highlight(self, ids, query, language):
        from meetings.models import Recommendation

        wanted = {t for term in query.terms for t in term.folded(language)}
        texts = Recommendation.objects.filter(pk__in=ids).values_list("pk", f"text_{language}")
        return {pk: highlight_words(text or "", wanted, language) for pk, text in texts}

    def closest_word(self, word, language):
        from meetings.models import SearchTerm

        normalized = unaccent(word).lower()
        best = None
        for candidate, candidate_normalized, frequency in SearchTerm.objects.filter(
            language=language
        ).values_list("word", "normalized", "frequency"):
            score = similarity(normalized, candidate_normalized)
            if score >= SUGGESTION_THRESHOLD:
                key = (-score, -frequency, candidate)
                if best is None or key < best[0]:
                    best = (key, candidate)
        return best[1] if best else None


def highlight_words(text, wanted, language):
    """Put sentinels around each word of ``text`` whose search term is wanted."""
    text = text.translate({ord(c): None for c in SENTINELS})
    pieces, last = [], 0
    for word in words(text):
        start = text.index(word, last)
        pieces.append(text[last:start])
        if fold_word(word, language) in wanted:
            pieces.append(f"{MARK_START}{word}{MARK_END}")
        else:
            pieces.append(word)
        last = start + len(word)
    pieces.append(text[last:])
    return "".join(pieces)


def get_backend():
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"No search backend for {connection.vendor}")
