"""
The search syntax people type on the web, read once in Python.

- words are all required: ``données clients``;
- ``"a quoted phrase"`` must appear as written;
- ``OR`` between two terms accepts either;
- ``-word`` or ``-"a phrase"`` excludes.

Anything else is tolerated: an unbalanced quote closes at the end, a lone
``-`` or a stray ``OR`` is ignored, punctuation separates words. The parsed
query is then written out again for each backend: as canonical web syntax
for PostgreSQL's ``websearch_to_tsquery``, and as an FTS5 expression over
folded terms for SQLite. Both read the same structure, so they agree.
"""

import re
from dataclasses import dataclass, field

from .text import fold_word, words

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16

# Words so common that a search for them alone finds everything, but that
# PostgreSQL's stop-word lists keep. They are dropped from queries (not from
# phrases, where they are part of the wording).
QUERY_STOP_WORDS = {"fr": {"les", "leurs", "cet", "cette"}, "en": set()}

_TOKEN = re.compile(r'(?P<neg>-)?"(?P<phrase>[^"]*)"?|(?P<word>\S+)')


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of several words, as the person wrote it."""

    words: tuple

    def folded(self, language):
        """The term's search terms in ``language``, stop words left out."""
        if len(self.words) == 1 and self.words[0].lower() in QUERY_STOP_WORDS[language]:
            return ()
        return tuple(t for t in (fold_word(w, language) for w in self.words) if t)

    def as_websearch(self):
        # Always quoted: PostgreSQL would read a bare "or", in any case, as the operator.
        return f'"{" ".join(self.words)}"'

    def as_fts5(self, language):
        folded = self.folded(language)
        return f'"{" ".join(folded)}"' if folded else ""


@dataclass
class ParsedQuery:
    # Every group must match; a group matches if any of its terms does.
    groups: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    @property
    def terms(self):
        return [term for group in self.groups for term in group]

    def is_empty(self):
        return not self.groups and not self.excluded

    def has_terms(self, language):
        """Whether anything but stop words is left to look for."""
        return any(term.folded(language) for term in self.terms)

    def problem(self, languages):
        """Why this query cannot be searched, or "" when it can.

        "empty": nothing to look for; "only_excluded": only words to leave out;
        "stop_words": only words too common to search for.
        """
        if not self.groups:
            return "only_excluded" if self.excluded else "empty"
        if not any(self.has_terms(language) for language in languages):
            return "stop_words"
        return ""

    def as_websearch(self, language):
        """Canonical web syntax for ``websearch_to_tsquery``, query stop words left out."""
        parts = [
            " OR ".join(term.as_websearch() for term in group if term.folded(language))
            for group in self.groups
        ]
        parts += [f"-{term.as_websearch()}" for term in self.excluded if term.folded(language)]
        return " ".join(part for part in parts if part)

    def as_fts5(self, language):
        """An FTS5 expression, or "" when nothing searchable is left."""
        groups = []
        for group in self.groups:
            alternatives = [a for a in (term.as_fts5(language) for term in group) if a]
            if alternatives:
                groups.append(alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})")
        if not groups:
            return ""
        expression = " AND ".join(groups)
        for term in self.excluded:
            excluded = term.as_fts5(language)
            if excluded:
                expression = f"({expression}) NOT {excluded}"
        return expression


def parse_query(text):
    """Read ``text`` (already cleaned of control characters) into a ParsedQuery."""
    query = ParsedQuery()
    pending_or = False
    for match in _TOKEN.finditer(text[:MAX_QUERY_LENGTH]):
        if len(query.terms) + len(query.excluded) >= MAX_TERMS:
            break
        negated = bool(match["neg"])
        raw = match["phrase"] if match["phrase"] is not None else match["word"]
        if match["word"] is not None:
            if raw == "OR":
                pending_or = bool(query.groups)
                continue
            if raw.startswith("-"):
                negated, raw = True, raw[1:]
        term_words = tuple(words(raw))
        if not term_words:
            continue
        term = Term(term_words)
        if negated:
            query.excluded.append(term)
            pending_or = False
        elif pending_or:
            query.groups[-1].append(term)
            pending_or = False
        else:
            query.groups.append([term])
    return query
