"""
Measuring search: relevance judged by people, scored as IR evaluations do.

A judged set (``tests/relevance/*.json``) holds queries, each with the
language of the page it is typed on and a grade for the recommendations
that answer it (2: about it; 1: partly; any other: 0), named by number
(``2023-10-03/2.3``: meeting date, theme, recommendation). The scores:

- nDCG@10: how close the first ten hits come to the best possible order;
- recall@10: the share of the relevant recommendations (grade 1 or 2) in the first ten;
- P@5: the share of the first five hits that are relevant.

Queries that nothing answers are left out of the means and counted apart:
the fewer hits they get, the better.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from meetings.models import Recommendation

from .engine import search_recommendations

CUTOFF = 10


def recommendation_numbers():
    """{recommendation id: "2023-10-03/2.3"} for every recommendation."""
    rows = Recommendation.objects.values_list("pk", "theme__meeting__date", "theme__position", "position")
    return {pk: f"{date.isoformat()}/{theme}.{position}" for pk, date, theme, position in rows}


def read_judgments(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))["queries"]


def ndcg(ranked_grades, all_grades, cutoff=CUTOFF):
    def dcg(grades):
        return sum((2**grade - 1) / math.log2(index + 2) for index, grade in enumerate(grades[:cutoff]))

    ideal = dcg(sorted(all_grades, reverse=True))
    return dcg(ranked_grades) / ideal if ideal else 0.0


@dataclass
class QueryScore:
    query: dict
    ndcg: float = 0.0
    recall: float = 0.0
    precision: float = 0.0
    hits: int = 0
    top: list = field(default_factory=list)


def score_query(query, ranked_numbers, total):
    grades = query["judgments"]
    ranked = [grades.get(number, 0) for number in ranked_numbers]
    relevant = {number for number, grade in grades.items() if grade > 0}
    result = QueryScore(query, hits=total, top=ranked_numbers[:CUTOFF])
    if relevant:
        result.ndcg = ndcg(ranked, list(grades.values()))
        result.recall = len(relevant & set(ranked_numbers[:CUTOFF])) / len(relevant)
        result.precision = sum(1 for grade in ranked[:5] if grade > 0) / 5
    return result


def run_archive_search(query, numbers):
    """The first page's recommendation numbers, best first, and the total."""
    results = search_recommendations(query["query"], query["language"])
    if not results.total:
        return [], 0
    return [numbers[hit.recommendation.pk] for hit in results.page.object_list], results.total


def rank_queries(queries):
    """[(query, [first page's numbers])]: what the archive's search ranks for each query."""
    numbers = recommendation_numbers()
    return [(query, run_archive_search(query, numbers)[0]) for query in queries]


def evaluate(queries, search=run_archive_search):
    numbers = recommendation_numbers()
    return [score_query(query, *search(query, numbers)) for query in queries]


def summary(scores):
    """{language: {"queries", "ndcg", "recall", "p5", "no_answer_hits"}}, and "all"."""
    table = {}
    for language in sorted({s.query["language"] for s in scores}) + ["all"]:
        chosen = [s for s in scores if language in ("all", s.query["language"])]
        answered = [s for s in chosen if s.query["judgments"]]
        count = len(answered) or 1
        table[language] = {
            "queries": len(answered),
            "ndcg": sum(s.ndcg for s in answered) / count,
            "recall": sum(s.recall for s in answered) / count,
            "p5": sum(s.precision for s in answered) / count,
            "no_answer_hits": sum(s.hits for s in chosen if not s.query["judgments"]),
        }
    return table
