"""The archive's own words, from which "Did you mean" suggestions are drawn."""

from collections import Counter

from modeltranslation.settings import AVAILABLE_LANGUAGES

from meetings.models import Meeting, Recommendation, SearchTerm, Theme

from .text import fold_word, unaccent, words

MIN_WORD_LENGTH = 3
MAX_WORD_LENGTH = 100


def count_words(texts, language):
    """How often each searchable word (lower case) appears in ``texts``."""
    # Count the words as written first, then judge each distinct word once.
    written = Counter()
    for text in texts:
        written.update(words(text or ""))
    counts = Counter()
    for word, occurrences in written.items():
        if MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH and not word.isdigit():
            lowered = word.lower()
            if fold_word(lowered, language):
                counts[lowered] += occurrences
    return counts


def _terms(counts, language):
    return [
        SearchTerm(language=language, word=word, normalized=unaccent(word), frequency=frequency)
        for word, frequency in sorted(counts.items())
    ]


def rebuild_search_terms():
    """Recount the whole vocabulary from what is stored."""
    SearchTerm.objects.all().delete()
    # Only what the public can read: a draft's words must never be suggested.
    sources = (
        (Recommendation.objects.published(), "text"),
        (Theme.objects.filter(meeting__is_published=True), "title"),
        (Meeting.objects.published(), "title"),
    )
    for language in AVAILABLE_LANGUAGES:
        counts = Counter()
        for queryset, column in sources:
            texts = queryset.values_list(f"{column}_{language}", flat=True).iterator(chunk_size=5000)
            counts.update(count_words(texts, language))
        SearchTerm.objects.bulk_create(_terms(counts, language), batch_size=2000)


def add_search_terms(texts_by_language):
    """Add the words of newly saved text; words already known are left as they are."""
    for language, texts in texts_by_language.items():
        terms = _terms(count_words(texts, language), language)
        SearchTerm.objects.bulk_create(terms, batch_size=2000, ignore_conflicts=True)
