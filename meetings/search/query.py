"""
The search syntax people type on the web, read once in Python into a tree
that knows no database.

- words are all required: ``données clients``;
- ``"a quoted phrase"`` must appear as written;
- ``OR``, ``OU``, ``|``, or a lower-case ``or``/``ou`` between two terms
  accepts either;
- ``-word`` or ``-"a phrase"`` excludes.

Anything else is tolerated: an unbalanced quote closes at the end, a lone
``-`` or a stray ``OR`` is ignored, punctuation separates words. Each backend
compiles the tree into its own SQL (see ``backends``); ``subjects.py`` may
widen a clause with the subjects its words name.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .text import fold_word, words

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16

# Words so common that a search for them alone finds everything, but that
# PostgreSQL's stop-word lists keep. They are dropped from queries (not from
# phrases, where they are part of the wording).
QUERY_STOP_WORDS = {"fr": {"les", "leurs", "cet", "cette"}, "en": set()}

# "or" and "ou" in lower case are words in the other language's text ("or"
# is French for gold), but between two terms a reader means the operator.
OR_OPERATORS = {"OR", "OU", "|", "or", "ou"}

_TOKEN = re.compile(r'(?P<neg>-)?"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of several words, as the person wrote it."""

    words: tuple
    quoted: bool = False

    def folded(self, language):
        """The term's search terms in ``language``, stop words left out."""
        return _folded(self.words, language)

    def __str__(self):
        text = " ".join(self.words)
        return f'"{text}"' if self.quoted or len(self.words) > 1 else text


@dataclass
class Clause:
    """
    Matches when all the terms of one of its alternatives match, or when the
    recommendation is under one of its subjects. ``terms`` is a list of
    alternatives, each a tuple of terms: ``a OR b`` is ``[(a,), (b,)]``.
    """

    terms: list
    subjects: frozenset = frozenset()

    def searchable(self, languages):
        return bool(self.subjects) or any(
            term.folded(language)
            for alternative in self.terms
            for term in alternative
            for language in languages
        )


@dataclass
class ParsedQuery:
    # Every clause must match.
    clauses: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    # Words left out as too common in the page's language ("les", "the").
    dropped: list = field(default_factory=list)

    @property
    def terms(self):
        return [term for clause in self.clauses for alternative in clause.terms for term in alternative]

    def problem(self, languages):
        """Why this query cannot be searched, or "" when it can.

        "empty": nothing to look for; "only_excluded": only words to leave out;
        "stop_words": only words too common to search for.
        """
        if not self.clauses:
            if self.dropped:
                return "stop_words"
            return "only_excluded" if self.excluded else "empty"
        if not any(clause.searchable(languages) for clause in self.clauses):
            return "stop_words"
        return ""

    def searched_clauses(self, languages):
        """The clauses left once those of stop words alone are dropped."""
        return [clause for clause in self.clauses if clause.searchable(languages)]

    def __str__(self):
        parts = [
            " OR ".join(" ".join(str(term) for term in alternative) for alternative in clause.terms)
            for clause in self.clauses
        ]
        parts += [f"-{term}" for term in self.excluded]
        return " ".join(parts)


# Ranking asks it of each term for every document it reads.
@lru_cache(maxsize=4096)
def _folded(term_words, language):
    if len(term_words) == 1 and term_words[0].lower() in QUERY_STOP_WORDS[language]:
        return ()
    return tuple(t for t in (fold_word(w, language) for w in term_words) if t)


def is_page_stop_word(term, language):
    """A lone word too common to search for in the page's language, which then means it in no language.

    Other languages may not know it as such ("les" is no English stop word),
    but a reader on the French page who types "les" means the French word.
    A word in capitals is an acronym: "AI" on the French page is not "ai".
    """
    if language is None or term.quoted or len(term.words) != 1:
        return False
    word = term.words[0]
    if len(word) > 1 and word.isupper():
        return False
    return not term.folded(language)


def parse_query(text, language=None):
    """Read ``text`` (already cleaned of control characters) into a ParsedQuery.

    ``language`` is the page's: its stop words are left out of the query.
    """
    query = ParsedQuery()
    pending_or = False
    count = 0
    for match in _TOKEN.finditer(text[:MAX_QUERY_LENGTH]):
        if count >= MAX_TERMS:
            break
        negated = bool(match["neg"])
        quoted = match["phrase"] is not None
        raw = match["phrase"] if quoted else match["word"]
        if not quoted:
            if raw in OR_OPERATORS:
                pending_or = bool(query.clauses)
                continue
            if raw.startswith("-"):
                negated, raw = True, raw[1:]
        term_words = tuple(words(raw))
        if not term_words:
            continue
        term = Term(term_words, quoted=quoted)
        count += 1
        if is_page_stop_word(term, language):
            query.dropped.append(term)
            pending_or = pending_or and not negated
            continue
        if negated:
            query.excluded.append(term)
            pending_or = False
        elif pending_or:
            query.clauses[-1].terms.append((term,))
            pending_or = False
        else:
            query.clauses.append(Clause([(term,)]))
    return query
