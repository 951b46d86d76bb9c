"""
The dedicated search engine the benchmark measures beside PostgreSQL: tantivy,
embedded in the benchmark's own process. Development only; never in production.

It indexes the same published recommendations, read from the database, with
the same analyzer family as the site (French and English Snowball stemming,
lower case, accents folded): one field per language holding the
recommendation's text and its theme's and meeting's titles. It answers the
same parsed queries (``meetings.search.query``) with an exact count, exact
year facets (an aggregation over every match) and BM25 over every match.
"""

import tantivy

STEMMERS = {"fr": "french", "en": "english"}
YEAR_FACETS = {"years": {"terms": {"field": "year", "size": 1000}}}


def analyzer(language):
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer(STEMMERS[language]))
        .build()
    )


def schema():
    builder = tantivy.SchemaBuilder()
    for language in STEMMERS:
        builder.add_text_field(language, tokenizer_name=f"{language}_stem")
    builder.add_unsigned_field("id", stored=True, fast=True)
    builder.add_unsigned_field("year", indexed=True, fast=True)
    builder.add_unsigned_field("meeting", indexed=True, fast=True)
    return builder.build()


class TantivyPeer:
    def __init__(self, path):
        self.schema = schema()
        self.index = tantivy.Index(self.schema, path=str(path))
        self.analyzers = {language: analyzer(language) for language in STEMMERS}
        for language, text_analyzer in self.analyzers.items():
            self.index.register_tokenizer(f"{language}_stem", text_analyzer)

    def build(self, rows, memory=256_000_000):
        """Index ``rows`` of (id, year, meeting id, French text, English text); returns how many."""
        writer = self.index.writer(memory, 2)
        count = 0
        for pk, year, meeting, text_fr, text_en in rows:
            document = tantivy.Document()
            for name, value in (("id", pk), ("year", year), ("meeting", meeting)):
                document.add_unsigned(name, value)
            document.add_text("fr", text_fr or "")
            document.add_text("en", text_en or "")
            writer.add_document(document)
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return count

    def term_query(self, term, languages):
        """Either language's field holds the term (a word, or a phrase)."""
        alternatives = []
        for language in languages:
            tokens = self.analyzers[language].analyze(" ".join(term.words))
            if not tokens:
                continue
            if len(tokens) == 1:
                alternatives.append(tantivy.Query.term_query(self.schema, language, tokens[0]))
            else:
                alternatives.append(tantivy.Query.phrase_query(self.schema, language, tokens))
        if not alternatives:
            return None
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, query) for query in alternatives])

    def compile(self, parsed, languages, year=None):
        """The tantivy query for a ParsedQuery: every clause, none of the excluded terms."""
        must = []
        for clause in parsed.searched_clauses(languages):
            options = []
            for alternative in clause.terms:
                parts = [self.term_query(term, languages) for term in alternative]
                parts = [part for part in parts if part is not None]
                if parts:
                    options.append(
                        tantivy.Query.boolean_query([(tantivy.Occur.Must, part) for part in parts])
                    )
            if options:
                must.append(
                    (
                        tantivy.Occur.Must,
                        tantivy.Query.boolean_query([(tantivy.Occur.Should, o) for o in options]),
                    )
                )
        if not must:
            return tantivy.Query.empty_query()
        for term in parsed.excluded:
            query = self.term_query(term, languages)
            if query is not None:
                must.append((tantivy.Occur.MustNot, query))
        if year:
            must.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(self.schema, "year", tantivy.FieldType.Unsigned, year, year),
                )
            )
        return tantivy.Query.boolean_query(must)

    def search(self, parsed, languages, year=None, page_size=20):
        """(exact count, the first page's ids by BM25, {year: exact count})."""
        searcher = self.index.searcher()
        query = self.compile(parsed, languages, year)
        result = searcher.search(query, limit=page_size, count=True)
        ids = [searcher.doc(address)["id"][0] for _score, address in result.hits]
        buckets = searcher.aggregate(query, YEAR_FACETS)["years"]["buckets"]
        years = {int(bucket["key"]): bucket["doc_count"] for bucket in buckets}
        return result.count, ids, years
