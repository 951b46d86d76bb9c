"""
Stemming speed: the pure-Python Snowball stemmers of ``snowballstemmer``
against the same Snowball 2.2 stemmers in C (PyStemmer), on the words of the
archive in both languages (``fixtures/archive.json``, or the text files
given), each language's stemmer over every word. It also checks that both give the same
stem for every word. Not part of the test suite.

    .venv/bin/python bench/stemming.py [source files…]
"""

import sys
import time
from pathlib import Path

import Stemmer
from snowballstemmer.english_stemmer import EnglishStemmer
from snowballstemmer.french_stemmer import FrenchStemmer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from meetings.search.text import unaccent, words  # noqa: E402

PURE = {"french": FrenchStemmer, "english": EnglishStemmer}


def main(paths):
    vocabulary = sorted(
        {unaccent(word).lower() for path in paths for word in words(path.read_text(encoding="utf-8"))}
    )
    vocabulary = [word for word in vocabulary if word.isalpha()]
    print(f"{len(vocabulary):,} distinct words from {', '.join(path.name for path in paths)}")
    print("| stemmer | pure Python µs/word | C µs/word | ratio | stems that differ |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, pure_class in PURE.items():
        pure, c = pure_class(), Stemmer.Stemmer(name)
        timings = {}
        for label, stemmer in (("pure", pure), ("c", c)):
            best = None
            for _ in range(5):
                start = time.perf_counter()
                stems = [stemmer.stemWord(word) for word in vocabulary]
                elapsed = time.perf_counter() - start
                best = elapsed if best is None else min(best, elapsed)
            timings[label] = (best * 1e6 / len(vocabulary), stems)
        differ = sum(1 for a, b in zip(timings["pure"][1], timings["c"][1], strict=True) if a != b)
        pure_us, c_us = timings["pure"][0], timings["c"][0]
        print(f"| {name} | {pure_us:.1f} | {c_us:.2f} | {pure_us / c_us:.0f} | {differ} |")


if __name__ == "__main__":
    given = [Path(argument) for argument in sys.argv[1:]]
    main(given or [ROOT / "fixtures" / "archive.json"])
