"""
Subjects in queries: a reader's words that name a subject of the archive's
controlled vocabulary (its preferred term or a use-for term, in either
language) widen the search to the recommendations indexed under it.

"aînés", "older adults" and "elderly" all name the subject Seniors; "IA",
"AI" and "chatbot" name Artificial intelligence. A term may span several
words ("one-stop shop"); the clauses it spans then match when all their
words match, as before, or when the recommendation is under the subject.
"""

from dataclasses import dataclass
from functools import lru_cache

from meetings.models import Subject

from .backends import get_backend
from .backends.base import table
from .query import Clause, ParsedQuery
from .text import fold_word, words


@dataclass(frozen=True)
class SubjectTerm:
    subject: int
    language: str
    folded: tuple


# Every search reads the subjects' terms again (an editor may have changed
# them), but folding the same text gives the same words.
@lru_cache(maxsize=10_000)
def fold_phrase(text, language):
    return tuple(t for t in (fold_word(w, language) for w in words(text)) if t)


@lru_cache(maxsize=10_000)
def _terms_of(pk, language, name, use_for):
    """A subject's terms in one language, from its name and use-for text: the same text, the same terms."""
    folded = (fold_phrase(text, language) for text in [name or "", *(use_for or "").splitlines()])
    return tuple(SubjectTerm(pk, language, phrase) for phrase in folded if phrase)


def subject_terms(languages):
    """Every subject's preferred and use-for terms, folded, in one query.

    In plain SQL: every search asks it, and the ORM, through modeltranslation's
    manager, spent twice as long on a few dozen rows as the database did.
    """
    fields = [f"{name}_{language}" for language in languages for name in ("name", "use_for")]
    backend = get_backend()
    terms = []
    with backend.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(fields)} FROM {backend.quote(table(Subject))}")
        rows = cursor.fetchall()
    for row in rows:
        for index, language in enumerate(languages):
            terms += _terms_of(row[0], language, row[1 + 2 * index], row[2 + 2 * index])
    return terms


def subject_words(languages):
    """{(word in lower case, language)} of every subject's terms: words of the archive too."""
    fields = [f"{name}_{language}" for language in languages for name in ("name", "use_for")]
    found = set()
    for row in Subject.objects.values(*fields):
        for language in languages:
            for text in [row[f"name_{language}"] or "", row[f"use_for_{language}"] or ""]:
                found.update((word.lower(), language) for word in words(text))
    return found


def _is_plain(clause):
    """A clause of one unquoted word or hyphenated word, the only kind a span may cover."""
    return len(clause.terms) == 1 and len(clause.terms[0]) == 1 and not clause.terms[0][0].quoted


def _spans(clauses, terms, language):
    """[(first clause, last clause, subject)] where a run of plain clauses folds to a subject term."""
    tokens = []  # (clause index, folded token, is the clause's first, is the clause's last)
    for index, clause in enumerate(clauses):
        if not _is_plain(clause):
            tokens.append((index, None, True, True))  # a barrier
            continue
        folded = clause.terms[0][0].folded(language)
        for position, token in enumerate(folded):
            tokens.append((index, token, position == 0, position == len(folded) - 1))
    # Only a term whose first word the query holds can match.
    present = {token for _index, token, _first, _last in tokens if token is not None}
    found = []
    for term in terms:
        if term.language != language or term.folded[0] not in present:
            continue
        size = len(term.folded)
        for start in range(len(tokens) - size + 1):
            window = tokens[start : start + size]
            if (
                window[0][2]
                and window[-1][3]
                and all(token is not None for _i, token, _f, _l in window)
                and tuple(token for _i, token, _f, _l in window) == term.folded
            ):
                found.append((window[0][0], window[-1][0], term.subject))
    return found


def with_subjects(query, languages):
    """``query`` with each clause (or run of clauses) that names subjects widened to them."""
    terms = subject_terms(languages)
    if not terms:
        return query
    clauses = list(query.clauses)
    spans = [span for language in languages for span in _spans(clauses, terms, language)]
    # A clause may also hold alternatives ("AI OR robots"): each that is a term matches alone.
    for index, clause in enumerate(clauses):
        if len(clause.terms) > 1:
            for alternative in clause.terms:
                if len(alternative) == 1 and not alternative[0].quoted:
                    for language in languages:
                        folded = alternative[0].folded(language)
                        spans += [
                            (index, index, t.subject)
                            for t in terms
                            if t.language == language and t.folded == folded and folded
                        ]
    if not spans:
        return query
    # The longest spans first; a shorter one inside a longer one adds its subject to it.
    spans.sort(key=lambda span: (span[0] - span[1], span[0]))
    merged = []  # [first, last, set of subjects]
    for first, last, subject in spans:
        for span in merged:
            if span[0] <= first and last <= span[1]:
                span[2].add(subject)
                break
        else:
            if not any(first <= span[1] and span[0] <= last for span in merged):
                merged.append([first, last, {subject}])
    result, index = [], 0
    starts = {span[0]: span for span in merged}
    while index < len(clauses):
        span = starts.get(index)
        if span is None:
            result.append(clauses[index])
            index += 1
            continue
        first, last, subjects = span
        covered = clauses[first : last + 1]
        if first == last:
            alternatives = covered[0].terms
        else:
            alternatives = [tuple(term for clause in covered for term in clause.terms[0])]
        result.append(Clause(alternatives, frozenset(subjects) | covered[0].subjects))
        index = last + 1
    return ParsedQuery(result, query.excluded)


def recommendations_under(subject_ids, recommendation_ids):
    """{recommendation id: set of subject ids} among ``subject_ids``, for these recommendations.

    In plain SQL: ranking asks it of 200 recommendations, and the ORM spent
    three times as long building the query as the database took to answer it.
    The recommendations are one parameter, as everywhere else in the engine
    (for "Indigenous communities" at a million recommendations, 0.9 ms with a
    parameter each, 0.6 ms with one).
    """
    subject_ids, recommendation_ids = list(subject_ids), list(recommendation_ids)
    if not subject_ids or not recommendation_ids:
        return {}
    backend = get_backend()
    through = backend.quote(Subject.recommendations.through._meta.db_table)
    among, among_params = backend.ids_sql(recommendation_ids, column="recommendation_id")
    sql = (
        f"SELECT recommendation_id, subject_id FROM {through} "
        f"WHERE subject_id IN ({', '.join(['%s'] * len(subject_ids))}) AND {among}"
    )
    found = {}
    with backend.connection.cursor() as cursor:
        cursor.execute(sql, [*subject_ids, *among_params])
        for recommendation, subject in cursor.fetchall():
            found.setdefault(recommendation, set()).add(subject)
    return found
