"""What the benchmarks share: reading a query file, the percentile they report, and Django in their own process."""

import os
import sys


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


def setup_django(root):
    """Django with the code of ``root``, in this process: DEBUG off, no HTTPS redirect, no rate limits."""
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="ccs_archive.settings",
        DEBUG="0",
        SECRET_KEY="benchmark-only-key-never-used-elsewhere",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_SEARCH="",
        RATE_LIMIT_API="",
        RATE_LIMIT_EXPORTS="",
    )
    import django

    django.setup()
