"""What the benchmarks share: reading a query file, and the percentile they report."""


def read_queries(path):
    """A query file (``queries.tsv``, ``mixes/*.tsv``): [{kind, language, q, options}]."""
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, language, q, *rest = line.split("\t")
        options = dict(item.split("=", 1) for item in (rest[0].split() if rest else []))
        queries.append({"kind": kind, "language": language, "q": q, "options": options})
    return queries


def percentile(values, share):
    """The nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]
