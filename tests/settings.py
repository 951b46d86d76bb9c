"""Settings for the test suite: the project's own, with a key that only tests use."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-key-never-used-outside-tests")

from ccs_archive.settings import *  # noqa: E402, F403
