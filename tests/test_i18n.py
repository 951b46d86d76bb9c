"""Every interface string has its French translation, compiled and in use."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real
from django.utils.translation.template import templatize

CALL = re.compile(r"\b(gettext|ngettext|pgettext|npgettext)\(((?:u?'(?:[^'\\]|\\.)*'\s*,?\s*)+)")
PY_CALL = re.compile(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)""")


def template_messages():
    # The site-wide templates and the app's own.
    paths = [
        *(settings.BASE_DIR / "templates").rglob("*.html"),
        *(settings.BASE_DIR / "meetings").rglob("*.html"),
    ]
    for path in sorted(paths):
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in CALL.finditer(code):
            strings = [ast.literal_eval(s) for s in re.findall(r"u?'(?:[^'\\]|\\.)*'", match.group(2))]
            yield path.name, tuple(strings[:2]) if match.group(1) == "ngettext" else strings[0]


def python_messages():
    for folder in ("meetings", "ccs_archive"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for match in PY_CALL.finditer(path.read_text(encoding="utf-8")):
                yield path.name, ast.literal_eval(match.group(1))


def french_catalog():
    return trans_real.translation("fr")._catalog


def test_the_extractors_find_the_strings():
    assert ("base.html", "Skip to main content") in set(template_messages())
    assert ("meeting_summary.html", ("%(counter)s theme", "%(counter)s themes")) in set(template_messages())
    assert ("models.py", "recommendation") in set(python_messages())


@pytest.mark.parametrize(
    "source, message", sorted(set(template_messages()) | set(python_messages()), key=str)
)
def test_every_interface_string_has_a_french_translation(source, message):
    catalog = french_catalog()
    if isinstance(message, tuple):
        assert catalog.get((message[0], 0)), f"{source}: no French for {message[0]!r}"
        assert catalog.get((message[0], 1)), f"{source}: no French plural for {message[1]!r}"
    else:
        assert catalog.get(message), f"{source}: no French for {message!r} (run `make messages`)"


def test_compiled_catalogues_are_in_step_with_their_sources():
    po = (Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    msgids = set(re.findall(r'^msgid "(.+)"$', po, re.MULTILINE))
    missing = [
        m for m in msgids if m.replace('\\"', '"') not in french_catalog() and (m, 0) not in french_catalog()
    ]
    assert not missing, f"compile the catalogues: {missing[:5]}"


def test_translated_paths():
    from django.urls import reverse

    with translation.override("fr"):
        assert reverse("meetings:search") == "/fr/recherche/"
    with translation.override("en"):
        assert reverse("meetings:search") == "/en/search/"
