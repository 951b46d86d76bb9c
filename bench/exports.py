"""
Measure the streamed exports on a large database: time, rows, bytes, and the
peak memory of the process that serves them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db with a generated corpus> \\
        .venv/bin/python bench/exports.py

It requests the whole-archive CSV and JSON (both languages) and a CSV of a
very common word, reading each response as a client would, chunk by chunk.
Peak memory is the process's maximum resident set size (getrusage), read
before and after each export: if an export held its rows in memory, the peak
would grow with the number of rows.
"""

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccs_archive.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-with-enough-characters-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.test import Client  # noqa: E402

from meetings.models import Recommendation  # noqa: E402

EXPORTS = [
    ("whole archive, CSV, both languages", "/fr/donnees-ouvertes/recommandations.csv?lang=all"),
    ("whole archive, JSON, both languages", "/fr/donnees-ouvertes/recommandations.json?lang=all"),
    ("search 'services', CSV", "/fr/donnees-ouvertes/recommandations.csv?q=services"),
]


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    client = Client()
    print(f"recommendations in the database: {Recommendation.objects.count():,}")
    print("| export | status | lines | MiB sent | seconds | peak RSS before → after (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for label, path in EXPORTS:
        before = peak_mib()
        started = time.perf_counter()
        response = client.get(path)
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
        print(
            f"| {label} | {response.status_code} | {lines:,} lines | {size / 2**20:,.1f} | {elapsed:,.1f} "
            f"| {before:,.0f} → {peak_mib():,.0f} |"
        )


if __name__ == "__main__":
    main()
