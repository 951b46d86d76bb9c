import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from meetings.search.baseline import bm25_search
from meetings.search.evaluation import evaluate, rank_queries, read_judgments, summary

JUDGED_SETS = Path(settings.BASE_DIR) / "tests" / "relevance"


class Command(BaseCommand):
    help = (
        "Score search on relevance-judged queries (tests/relevance/): nDCG@10, recall@10 and P@5 "
        "per language, on the current database, beside a textbook BM25 over the same text."
    )

    def add_arguments(self, parser):
        parser.add_argument("sets", nargs="*", help="judged sets (JSON); by default tuning and check")
        parser.add_argument("--queries", action="store_true", help="also print each query's scores")
        parser.add_argument(
            "--record",
            metavar="PATH",
            help="write each query's ranked hits (JSON), to check that another database gives the same",
        )

    def handle(self, *args, sets, queries=False, record=None, **options):
        paths = [Path(p) for p in sets] or [JUDGED_SETS / "tuning.json", JUDGED_SETS / "check.json"]
        if record:
            rankings = {q["id"]: ranked for path in paths for q, ranked in rank_queries(read_judgments(path))}
            Path(record).write_text(
                json.dumps(rankings, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        for path in paths:
            judged = read_judgments(path)
            self.stdout.write(f"{path.name}: {len(judged)} queries")
            self.stdout.write(
                f"  {'engine':<9}{'lang':<5}{'n':>3} {'nDCG@10':>8} {'R@10':>6} {'P@5':>6} {'no-answer hits':>15}"
            )
            for name, search in (("archive", None), ("bm25", bm25_search)):
                scores = evaluate(judged) if search is None else evaluate(judged, search)
                for language, row in summary(scores).items():
                    self.stdout.write(
                        f"  {name:<9}{language:<5}{row['queries']:>3} {row['ndcg']:>8.3f} {row['recall']:>6.3f} "
                        f"{row['p5']:>6.3f} {row['no_answer_hits']:>15}"
                    )
                if queries and search is None:
                    for score in scores:
                        q = score.query
                        self.stdout.write(
                            f"    {q['id']:<12} {score.ndcg:5.2f} {score.recall:5.2f} {score.precision:5.2f} "
                            f"{score.hits:>3}  {q['query']}"
                        )
