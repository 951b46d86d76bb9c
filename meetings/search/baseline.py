"""
A textbook BM25 (Robertson and Zaragoza's, k1 = 1.2, b = 0.75) over the
recommendations' text in the page's language, folded as the index folds it:
the baseline that ``evaluate_search`` scores the archive's search against.
Any query word may match; quotes and operators are read as plain words.
"""

import math
from collections import Counter

from meetings.models import Recommendation

from .text import fold

K1, B = 1.2, 0.75


def bm25_search(query, numbers):
    language = query["language"]
    texts = Recommendation.objects.published().values_list("pk", f"text_{language}")
    documents = {pk: Counter(fold(text, language).split()) for pk, text in texts}
    lengths = {pk: sum(counts.values()) for pk, counts in documents.items()}
    average = sum(lengths.values()) / len(lengths)
    terms = fold(query["query"], language).split()
    scores = Counter()
    for term in set(terms):
        having = [pk for pk, counts in documents.items() if term in counts]
        idf = math.log(1 + (len(documents) - len(having) + 0.5) / (len(having) + 0.5))
        for pk in having:
            tf = documents[pk][term]
            scores[pk] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[pk] / average))
    ranked = sorted(scores, key=lambda pk: (-scores[pk], pk))
    return [numbers[pk] for pk in ranked[:20]], len(ranked)
