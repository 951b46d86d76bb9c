"""
Settings for the test suite: the production settings (DEBUG off), with a key
that only tests use, and plain HTTP so that the test client need not speak TLS.
"""

import os

os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "test-suite-only-key-never-used-outside-tests-4f9c2a7e1d")

from ccs_archive.settings import *  # noqa: F403
from ccs_archive.settings import BASE_DIR, DATABASES, INSTALLED_APPS

SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# The performance tooling is tested with the rest (tests/test_corpus.py).
if "perf" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "perf"]

# A file, not memory, so that a server started by a test (gunicorn) can read
# the archive that the session loaded.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    (BASE_DIR / "test-artifacts").mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / "test-artifacts" / f"test-db-{os.getpid()}.sqlite3")
    }

# Hashing passwords at full strength is the slowest part of creating users;
# tests check who may do what, not the hash.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The whole-archive files of this run, written in the test process itself.
ARCHIVE_FILES_ROOT = BASE_DIR / "test-artifacts" / f"archive-files-{os.getpid()}"
ARCHIVE_FILES_REBUILD = "inline"
SITE_URL = "http://testserver"

# Rate limits are tested on their own (test_availability.py); the rest of the
# suite sends many requests from one address.
RATE_LIMITS = {}

# Sitemaps are not kept between tests, which change the archive without
# committing; test_open_data.py turns the cache on where it tests it.
SITEMAP_CACHE_SECONDS = 0

# Another connection to the test database, for the router's tests
# (tests/test_replicas.py). Requests read from the primary, though: a test's
# data is in its own transaction, which another connection cannot see.
DATABASES["replica_mirror"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_REPLICAS = []
