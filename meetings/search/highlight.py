"""
Highlighting: the query's words, or its phrases as wholes, marked in a text.

Database text and the query are never trusted as HTML: the matches are
marked with private-use sentinels, the whole string is escaped, and only
then do the sentinels become ``<mark>`` elements.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .text import WORD, fold_word, may_hold, phrase_starts, unaccent

# Private-use characters that no archive text holds.
MARK_START, MARK_END = "\ue000", "\ue001"
SENTINELS = MARK_START + MARK_END


def _spans(text, terms, language):
    """The (start, end) character spans of ``terms`` in ``text``."""
    plain = unaccent(text).lower()
    wanted_words = [[fold_word(word, language) for word in term.words] for term in terms]
    if not any(all(may_hold(plain, w) for w in wanted if w) for wanted in wanted_words if any(wanted)):
        return []  # most themes' titles, read into words for nothing
    tokens = [
        (match.start(), match.end(), fold_word(match.group(), language)) for match in WORD.finditer(text)
    ]
    folded = tuple(token for _start, _end, token in tokens)
    spans = []
    for wanted in wanted_words:
        if len(wanted) == 1:
            # One word, the most common term: its tokens, without a window at each place.
            if wanted[0]:
                spans += [(start, end) for start, end, token in tokens if token == wanted[0]]
            continue
        # A phrase is marked whole, from its first word to its last.
        spans += [
            (tokens[start][0], tokens[start + len(wanted) - 1][1]) for start in phrase_starts(folded, wanted)
        ]
    return spans


def highlight_terms(text, terms, language):
    """``text`` with sentinels around each match of ``terms``."""
    text = (text or "").translate({ord(c): None for c in SENTINELS})
    spans = sorted(_spans(text, terms, language))
    pieces, last = [], 0
    for start, end in spans:
        if start < last:  # overlapping matches: one mark
            if end > last:
                pieces[-1] = pieces[-1][:-1] + text[last:end] + MARK_END
                last = end
            continue
        pieces += [text[last:start], MARK_START + text[start:end] + MARK_END]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def render_highlight(text):
    """Escape ``text`` whole, then turn the sentinels into <mark> elements."""
    escaped = escape(text)
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def highlight(text, terms, language):
    return render_highlight(highlight_terms(text, terms, language))
