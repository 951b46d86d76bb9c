"""
Relevance: how well a recommendation answers a query, scored in Python so
that both databases give the same order.

The database finds the matches; this module orders at most the engine's
``CANDIDATES`` of them, reading their text in both languages. What counts,
and how much (the weights below were set on the tuning queries of
``tests/relevance/`` and checked on its held-out set):

- where a word is found: the recommendation's text, then its theme's title,
  then its meeting's title;
- in which language: the page's language first, the other one next (every
  recommendation exists in both, and a reader may type either);
- how: the very word typed (accents and capitals aside) above another word
  that only shares its stem, so that "accessibility" ranks its own matches
  above "access", and the French stem of "data" ("date") never outranks the
  English word "data";
- subjects: a recommendation indexed under a subject the query names scores
  a little, below any match of the words themselves, and adds to one;
- closeness: the query's words side by side in the text rank above the same
  words far apart.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .text import fold_word, may_hold, phrase_starts, stem_start, unaccent, words

FIELD_WEIGHTS = {"text": 1.0, "theme": 0.5, "meeting": 0.25}
OTHER_LANGUAGE_WEIGHT = 0.8
# A word found only through its stem, against the word itself.
STEM_WEIGHT = 0.35
SUBJECT_WEIGHT = 0.3
# Each pair of the query's words found side by side.
ADJACENCY_WEIGHT = 0.25
# Term-frequency saturation and length normalization, as in BM25.
SATURATION = 0.6
LENGTH_NORMALIZATION = 0.3
AVERAGE_LENGTH = 30


@dataclass
class Field:
    """A field's words: folded (stemmed), and exact (accents and capitals aside), with how often each occurs."""

    folded: tuple
    exact: tuple
    # A word's count is a lookup: each text is counted once, then asked of by
    # every term of every search that reaches it.
    folded_counts: Counter
    exact_counts: Counter


# A web process searches the same newest recommendations again and again:
# their texts, read into words, are kept (a few thousand texts, a few MB).
TEXTS_KEPT = 20_000


@lru_cache(maxsize=TEXTS_KEPT)
def plain_text(text):
    """``text`` in lower case, without accents."""
    return unaccent(text).lower()


@lru_cache(maxsize=TEXTS_KEPT)
def read_words(plain, language):
    """A field's words, folded and exact; never to be changed by the caller.

    Tuples, not lists: a tuple of strings (and a dict of strings and
    numbers) is left out of the garbage collector's rounds, which would
    otherwise walk every list of the twenty thousand texts kept.
    """
    exact = tuple(words(plain))
    folded = tuple(fold_word(word, language) for word in exact)
    return Field(folded, exact, Counter(folded), Counter(exact))


@dataclass
class Document:
    """One recommendation's searchable text, per language and field, read into words only when needed."""

    pk: int
    texts: dict  # (language, field) -> text
    subjects: set = field(default_factory=set)
    # Each field's plain text and words, once read: every term asks for them.
    plains: dict = field(default_factory=dict, repr=False)
    fields: dict = field(default_factory=dict, repr=False)

    def plain(self, language, name):
        key = language, name
        plain = self.plains.get(key)
        if plain is None:
            plain = self.plains[key] = plain_text(self.texts.get(key) or "")
        return plain

    def words(self, language, name):
        key = language, name
        words = self.fields.get(key)
        if words is None:
            words = self.fields[key] = read_words(self.plain(language, name), language)
        return words


def make_document(pk, texts, subjects=()):
    """``texts`` maps (language, field) to the text."""
    return Document(pk, texts, set(subjects))


@lru_cache(maxsize=1024)
def _wanted(words, language):
    """A term's words, folded (stemmed) and exact, and what a text must hold to hold them (see ``may_hold``).

    The same for every document of a search.
    """
    folded = [fold_word(word, language) for word in words]
    held = [stem_start(stem) for stem in folded if stem]
    return folded, [unaccent(word).lower() for word in words], held


def _occurrences(term, language, document, name):
    """Weighted count of ``term`` in one field: 1 for the very words, STEM_WEIGHT for the stem alone."""
    wanted, exact_wanted, held = _wanted(term.words, language)
    plain = document.plain(language, name)
    for start in held:
        if start not in plain:
            return 0.0
    words_of = document.words(language, name)
    if len(wanted) == 1:
        # One word: counted, not searched for.
        stem_matches = words_of.folded_counts[wanted[0]] if wanted[0] else 0
        if not stem_matches:
            return 0.0
        same = words_of.exact_counts[exact_wanted[0]]
        return same + STEM_WEIGHT * (stem_matches - same)
    # A phrase's stop words keep their place but need not match, as in the index.
    offsets = [i for i, w in enumerate(wanted) if w]
    if not all(wanted[i] in words_of.folded_counts for i in offsets):
        return 0.0
    exact = words_of.exact
    count = 0.0
    for start in phrase_starts(words_of.folded, wanted):
        same = all(exact[start + i] == exact_wanted[i] for i in offsets)
        count += 1.0 if same else STEM_WEIGHT
    return count


@lru_cache(maxsize=64)
def _places(language, languages):
    """[(language, field, weight)] where a term may be found, the highest weight first."""
    places = [
        (searched, name, (1.0 if searched == language else OTHER_LANGUAGE_WEIGHT) * field_weight)
        for searched in languages
        for name, field_weight in FIELD_WEIGHTS.items()
    ]
    return sorted(places, key=lambda place: -place[2])


def term_score(term, document, language, languages):
    """The best evidence for ``term`` in ``document``, and whether the page's language gave it."""
    best, in_page_language = 0.0, False
    for searched, name, weight in _places(language, tuple(languages)):
        # A place scores less than its weight: once the best found is as high,
        # a place can change nothing but whether the page's language matched.
        if weight <= best and (in_page_language or searched != language):
            continue
        if not term.folded(searched):
            continue
        count = _occurrences(term, searched, document, name)
        if not count:
            continue
        length = len(document.words(searched, name).folded)
        norm = 1 - LENGTH_NORMALIZATION + LENGTH_NORMALIZATION * length / AVERAGE_LENGTH
        score = weight * count / (count + SATURATION * norm)
        if score > best:
            best = score
        if searched == language:
            in_page_language = True
    return best, in_page_language


def _adjacent_pairs(query, document, languages):
    """How many pairs of consecutive one-word clauses appear side by side in the text."""
    plain = []
    for clause in query.clauses:
        alternative = clause.terms[0] if len(clause.terms) == 1 else None
        plain.append(
            alternative[0]
            if alternative and len(alternative) == 1 and len(alternative[0].words) == 1
            else None
        )
    pairs = 0
    for first, second in zip(plain, plain[1:], strict=False):
        if first is None or second is None:
            continue
        for language in languages:
            a, b = fold_word(first.words[0], language), fold_word(second.words[0], language)
            if not (a and b and may_hold(document.plain(language, "text"), a)):
                continue
            folded = [token for token in document.words(language, "text").folded if token]
            if any(x == a and y == b for x, y in zip(folded, folded[1:], strict=False)):
                pairs += 1
                break
    return pairs


@dataclass
class Evidence:
    """What one recommendation holds of a query: a score per clause, and how it matched."""

    clauses: list
    adjacent_pairs: int
    # False when only the other language's text matched some clause.
    in_page_language: bool


def evidence(query, document, language, languages):
    values, in_page_language = [], True
    for clause in query.searched_clauses(languages):
        clause_best, clause_in_page = 0.0, False
        for alternative in clause.terms:
            scores = [term_score(term, document, language, languages) for term in alternative]
            if scores and all(value for value, _in_page in scores):
                value = sum(value for value, _in_page in scores) / len(scores)
                if value > clause_best:
                    clause_best = value
                clause_in_page = clause_in_page or all(in_page for _value, in_page in scores)
        if clause.subjects & document.subjects:
            clause_best += SUBJECT_WEIGHT
            clause_in_page = True
        if clause_best:
            in_page_language = in_page_language and clause_in_page
        values.append(clause_best)
    return Evidence(values, _adjacent_pairs(query, document, languages), in_page_language)


def clause_weights(evidences):
    """An inverse document frequency for each clause, among the recommendations found.

    When every clause must match, they all weigh the same. When a long
    query is relaxed to any of its words (see the engine), a rare word
    counts for more than a common one, as in BM25.
    """
    evidences = list(evidences)
    if not evidences:
        return []
    found = len(evidences)
    weights = []
    for index in range(len(evidences[0].clauses)):
        having = sum(1 for e in evidences if e.clauses[index])
        weights.append(math.log(1 + (found - having + 0.5) / (having + 0.5)) if having else 0.0)
    top = max(weights) or 1.0
    # Softened: how many of the words match counts as much as which.
    return [0.5 + 0.5 * weight / top if weight else 0.0 for weight in weights]


def score(evidence, weights):
    matched = sum(weight * value for weight, value in zip(weights, evidence.clauses, strict=True))
    return matched + ADJACENCY_WEIGHT * evidence.adjacent_pairs
