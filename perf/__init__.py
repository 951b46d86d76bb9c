"""
Performance tooling: a synthetic corpus and the command that loads it.

A development-only app. It is installed by the test settings, or when
``PERF_TOOLS`` is set in the environment (see the README); production code
never imports it.
"""
