"""
Turning text into search terms, in Python, the way PostgreSQL does it.

PostgreSQL's ``french_unaccent`` and ``english_unaccent`` configurations
split text into words, remove accents with the ``unaccent`` rules, drop stop
words and reduce each word to its Snowball stem. SQLite's FTS5 knows none of
that, so the embedded backend does the same work here, with the same rules
file, the same stop-word lists (copied from PostgreSQL into ``data/``) and the
same Snowball stemmers (in C, from PyStemmer, which ``snowballstemmer`` uses
when it is installed), so that both databases give the same answers.
"""

import re
import threading
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer

DATA_DIR = Path(__file__).resolve().parent / "data"

STEMMER_NAMES = {"fr": "french", "en": "english"}

# Letters and digits; an apostrophe, a hyphen or an underscore separates words.
WORD = re.compile(r"[^\W_]+")


@cache
def _unaccent_rules():
    rules = {}
    for line in (DATA_DIR / "unaccent.rules").read_text(encoding="utf-8").splitlines():
        source, _tab, target = line.partition("\t")
        rules[ord(source)] = target
    return rules


# Runs of characters that the rules may change: every rule's source is outside ASCII.
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _unaccent_run(match):
    return match.group().translate(_unaccent_rules())


def unaccent(text):
    """``text`` without accents or ligatures: "Œuvre numérique" -> "OEuvre numerique"."""
    # Only the few runs outside ASCII are looked up, not every character: three
    # times faster on the archive's texts, which every search reads.
    if text.isascii():
        return text
    return _NOT_ASCII.sub(_unaccent_run, text)


@cache
def stop_words(language):
    path = DATA_DIR / f"{STEMMER_NAMES[language]}.stop"
    return frozenset(word.strip() for word in path.read_text(encoding="utf-8").split() if word.strip())


# A Snowball stemmer keeps the word it works on in itself: two threads sharing
# one (runserver, or gunicorn's threaded workers) corrupt each other's words.
_per_thread = threading.local()


def _stemmer(language):
    stemmers = _per_thread.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(STEMMER_NAMES[language])
    return stemmers[language]


def words(text):
    """The words of ``text``, as they are written."""
    return WORD.findall(text)


@lru_cache(maxsize=100_000)
def fold_word(word, language):
    """The search term of one word, or "" for a stop word."""
    # PostgreSQL unaccents before its stemmer looks for stop words, so "à"
    # is not one of them there ("a" is not in the list): do the same.
    folded = unaccent(word).lower()
    if folded in stop_words(language):
        return ""
    return _stemmer(language).stemWord(folded)


def phrase_starts(folded, wanted):
    """The places in ``folded`` (a text's folded words) where the phrase ``wanted`` (its folded words) starts.

    A stop word ("") keeps its place in the phrase but matches any word, as
    in the index. The text is searched for the phrase's first word by
    ``tuple.index``, not word by word in Python: a phrase is tested against
    every field of the two hundred texts a search ranks (7 ms of the 17
    that ranking took for "services en personne" at a million
    recommendations, word by word).
    """
    offsets = [(i, word) for i, word in enumerate(wanted) if word]
    if not offsets:
        return []
    (first, word), rest = offsets[0], offsets[1:]
    last = len(folded) - len(wanted)
    starts, position = [], -1
    while True:
        try:
            position = folded.index(word, position + 1)
        except ValueError:
            return starts
        start = position - first
        if 0 <= start <= last and all(folded[start + i] == w for i, w in rest):
            starts.append(start)


def may_hold(plain, stem):
    """Whether ``plain`` (lower case, without accents) may hold a word of this stem.

    A word's stem is its beginning, but for a last letter or two ("agency",
    "agenc"; "happy", "happi"): if even that much is not in the text, the
    word is not, and the text need not be read into words.
    """
    return stem_start(stem) in plain


def stem_start(stem):
    """What of ``stem`` a text holds if it holds a word of it (see ``may_hold``)."""
    return stem[: max(3, len(stem) - 2)]


# A word, or hyphenated words ("c'est-à-dire" gives "est-à-dire").
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _fold_token(token, language):
    """PostgreSQL's lexemes for one token of its parser, in the same order."""
    if token.isalpha() or token.isdigit():
        return [fold_word(token, language)]
    if "-" not in token:
        # Letters and digits mixed ("covid19"): the simple dictionary, lower case only.
        return [token.lower()]
    parts = token.split("-")
    if all(part.isalpha() for part in parts):
        lexemes = [fold_word(token, language)]  # the whole hyphenated word, stemmed
    else:
        lexemes = [token.lower()]
    for part in parts:
        lexemes.append(fold_word(part, language) if part.isalpha() or part.isdigit() else part.lower())
    return lexemes


# What a stop word leaves in SQLite's index with ``fold(..., gaps=True)``.
GAP = "0gap0"


def fold(text, language, gaps=False):
    """The search terms of ``text``, space-separated, stop words left out.

    With ``gaps``, each stop word leaves GAP in its place, as it leaves a
    position in PostgreSQL's vectors: a phrase then matches only words side
    by side ("expérience client" is not "expérience du client").
    """
    if not text:
        return ""
    terms = (term for token in _TOKEN.findall(text) for term in _fold_token(token, language))
    if gaps:
        return " ".join(term or GAP for term in terms)
    return " ".join(term for term in terms if term)


# Trigram similarity, as PostgreSQL's pg_trgm computes it, so that "Did you
# mean" weighs the same words on both databases; and the least similarity
# that pg_trgm's ``%`` operator accepts by default.
SIMILARITY_THRESHOLD = 0.3


# "Did you mean" weighs every subject's words against each unknown word of a
# query: their trigrams are worked out once (550 words, about 0.7 MB).
@lru_cache(maxsize=4096)
def trigrams(word):
    padded = f"  {unaccent(word).lower()} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a, b):
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)
