"""
"Did you mean": a respelling a person would trust.

Only a word the archive does not hold is respelt, and only into one of the
archive's own words (of published text) that is a true respelling of it:
at most two edits away (an edit being a letter added, removed, changed, or
two neighbours swapped) for a word of five letters or more, one edit for a
shorter word, never a word much shorter or longer. Among those, the fewest
edits first, then the most frequent word. A respelling that finds nothing,
or no more than the query did, is never offered.
"""

from modeltranslation.settings import AVAILABLE_LANGUAGES

from meetings.models import SearchTerm

from .backends import get_backend
from .subjects import subject_words
from .text import SIMILARITY_THRESHOLD, similarity, unaccent

MIN_RESPELT_LENGTH = 3
MAX_RESPELT_WORDS = 4
# How many trigram neighbours to weigh for each unknown word.
NEIGHBOURS = 40


def edit_distance(a, b):
    """Damerau-Levenshtein distance (optimal string alignment)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word):
    return 2 if len(word) >= 5 else 1


def known_words(words, vocabulary_of_subjects):
    """Which of ``words`` (lower-cased) the archive's vocabulary or its subjects hold, in either language."""
    by_normalized = {unaccent(word).lower(): word.lower() for word in words}
    found = SearchTerm.objects.filter(normalized__in=by_normalized).values_list("normalized", flat=True)
    subject_normalized = {unaccent(word) for word, _language in vocabulary_of_subjects}
    return {by_normalized[normalized] for normalized in found} | {
        word for normalized, word in by_normalized.items() if normalized in subject_normalized
    }


def respellings(word, language, vocabulary_of_subjects=()):
    """The archive's words that respell ``word``, best first: page language, fewest edits, most frequent.

    The subjects' terms count as words of the archive ("accessibility" is
    a subject even where the text says "accessible").
    """
    normalized = unaccent(word).lower()
    limit = allowed_edits(normalized)
    neighbours = list(get_backend().similar_words(normalized, NEIGHBOURS))
    neighbours += [
        (subject_word, unaccent(subject_word), subject_language, 1)
        for subject_word, subject_language in vocabulary_of_subjects
        if similarity(normalized, subject_word) >= SIMILARITY_THRESHOLD
    ]
    found = []
    for candidate, candidate_normalized, candidate_language, frequency in neighbours:
        if abs(len(candidate_normalized) - len(normalized)) > limit:
            continue
        distance = edit_distance(normalized, candidate_normalized)
        if 0 < distance <= limit:
            found.append((candidate_language != language, distance, -frequency, candidate))
    best = []
    for *_key, candidate in sorted(found):
        if candidate not in best:
            best.append(candidate)
    return best


def suggest(query, language, finds_more_than, finds_something):
    """A respelt query string, or "".

    ``finds_something(text)`` tells whether a query finds anything;
    ``finds_more_than(text)`` whether it finds more than the original.
    """
    words = {word for term in query.terms for word in term.words}
    candidates = [word for word in words if len(word) >= MIN_RESPELT_LENGTH and not word.isdigit()]
    vocabulary_of_subjects = subject_words(AVAILABLE_LANGUAGES)
    known = known_words(candidates, vocabulary_of_subjects)
    unknown = sorted(word for word in candidates if word.lower() not in known)[:MAX_RESPELT_WORDS]
    replacements = {}
    for word in unknown:
        for candidate in respellings(word, language, vocabulary_of_subjects)[:3]:
            if finds_something(candidate):
                replacements[word] = candidate
                break
    if not replacements:
        return ""

    def respell(term):
        respelt = [replacements.get(word, word) for word in term.words]
        return respelt[0] if len(respelt) == 1 and not term.quoted else f'"{" ".join(respelt)}"'

    parts = [
        " OR ".join(" ".join(respell(term) for term in alternative) for alternative in clause.terms)
        for clause in query.clauses
    ]
    parts += [f"-{respell(term)}" for term in query.excluded]
    suggestion = " ".join(parts)
    return suggestion if finds_more_than(suggestion) else ""
