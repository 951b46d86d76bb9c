"""
The archive in a real browser (Debian's Chromium, driven by Playwright), served
by the production configuration under gunicorn: journeys as people make them,
keyboard use, reflow, and two gates — zero axe-core WCAG 2.1 A/AA violations
and zero Nu HTML Checker errors on every page type, in both languages.

Without Chromium these tests skip with one line saying how to enable them;
CI sets CCS_REQUIRE_BROWSER=1, which turns that skip into a failure.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
VNU_JAR = Path(
    os.environ.get("VNU_JAR", settings.BASE_DIR / ".ci/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
)
ARTIFACTS = settings.BASE_DIR / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

FR_MEETING = "/fr/reunions/2023-10-03-l-avenir-de-service-canada-partie-2/"
EN_MEETING = "/en/meetings/2023-10-03-the-future-of-service-canada-part-2/"
PAGE_TYPES = {
    "listing": {"fr": "/fr/reunions/", "en": "/en/meetings/"},
    "year": {"fr": "/fr/reunions/2022/", "en": "/en/meetings/2022/"},
    "meeting": {"fr": FR_MEETING, "en": EN_MEETING},
    "search-results": {
        "fr": "/fr/recherche/?q=intelligence+artificielle",
        "en": "/en/search/?q=artificial+intelligence",
    },
    "search-empty": {"fr": "/fr/recherche/?q=zzzyxwv", "en": "/en/search/?q=zzzyxwv"},
    "search-suggestion": {"fr": "/fr/recherche/?q=inteligence", "en": "/en/search/?q=goverment"},
    "search-form": {"fr": "/fr/recherche/", "en": "/en/search/"},
    "not-found": {"fr": "/fr/nulle-part/", "en": "/en/nowhere/"},
    "admin-login": {"fr": "/admin/login/", "en": "/admin/login/"},
    "open-data": {"fr": "/fr/donnees-ouvertes/", "en": "/en/open-data/"},
    "about": {"fr": "/fr/a-propos/", "en": "/en/about/"},
    "subjects": {"fr": "/fr/sujets/", "en": "/en/subjects/"},
    "subject": {"fr": "/fr/sujets/intelligence-artificielle/", "en": "/en/subjects/artificial-intelligence/"},
    "search-other-language": {"fr": "/fr/recherche/?q=partnerships", "en": "/en/search/?q=partenariats"},
    "search-relaxed": {
        "fr": "/fr/recherche/?q=comment+rejoindre+les+communaut%C3%A9s+isol%C3%A9es",
        "en": "/en/search/?q=how+to+rebuild+public+trust+after+the+passport+delays",
    },
}


def _unavailable(reason, remedy):
    message = f"{reason}. {remedy}"
    if os.environ.get("CCS_REQUIRE_BROWSER"):
        pytest.fail(f"{message} CCS_REQUIRE_BROWSER is set, so this cannot be skipped.")
    pytest.skip(message)


# Module scope: Playwright's sync API runs an event loop in this thread, and
# Django refuses database work while one runs, so it must end with this module.
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"No browser at {CHROMIUM}", "Install Debian's chromium: apt-get install chromium.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed", "Run make install.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, production_server):
    """A fresh page in a given language and viewport; every page is closed afterwards."""
    contexts = []

    def open_page(path="/", language="fr", width=1280, height=900):
        context = browser.new_context(
            locale="fr-CA" if language == "fr" else "en-CA",
            extra_http_headers={
                "Accept-Language": "fr-CA,fr;q=0.9" if language == "fr" else "en-CA,en;q=0.9"
            },
            viewport={"width": width, "height": height},
        )
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.console_errors = errors
        page.goto(production_server + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def is_target(page, selector):
    return page.evaluate(f"document.querySelector({json.dumps(selector)}).matches(':target')")


def in_viewport(page, selector):
    return page.evaluate(
        """selector => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= -1 && box.top < window.innerHeight;
        }""",
        selector,
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_journey_open_a_meeting_and_follow_a_permalink(open_page, production_server, language):
    page = open_page("/", language)
    assert page.url.endswith("/fr/reunions/" if language == "fr" else "/en/meetings/")
    date = "3 octobre 2023" if language == "fr" else "October 3, 2023"
    page.locator(".meeting-summary", has_text=date).get_by_role("link").first.click()
    assert page.locator("h1").inner_text() == (
        "L'avenir de Service Canada (Partie 2)"
        if language == "fr"
        else "The future of Service Canada (Part 2)"
    )
    assert page.locator("section.theme h2").count() == 5
    assert page.locator(".recommendations > li").count() == 16

    permalink = page.locator(".permalink").nth(5)
    href = permalink.get_attribute("href")
    copied = permalink.get_attribute("data-permalink")
    assert copied.endswith(href)
    # Open the copied permalink as a new visit.
    page = open_page(copied.removeprefix(production_server), language)
    anchor = f"li{href}"
    assert is_target(page, anchor)
    assert page.locator(anchor).is_visible()
    assert in_viewport(page, anchor)
    assert not page.console_errors


def test_a_permalink_shared_before_numbering_still_lands_on_its_recommendation(open_page):
    page = open_page(EN_MEETING, "en")
    former = page.locator("#r2-3 .permalink span").get_attribute("id")
    assert re.fullmatch(r"rec-\d+", former)
    page = open_page(f"{EN_MEETING}#{former}", "en")
    assert in_viewport(page, "#r2-3")
    # The item lights up as if it were the target itself.
    outline = page.evaluate("getComputedStyle(document.querySelector('#r2-3')).outlineStyle")
    assert outline == "solid"
    assert not page.console_errors


def test_on_this_page_leads_to_a_theme(open_page):
    page = open_page(FR_MEETING, "fr")
    page.locator(".on-this-page a").nth(3).click()
    page.wait_for_url("**#t4")
    assert is_target(page, "#t4")
    assert in_viewport(page, "#t4-title")


@pytest.mark.parametrize("language, other", [("fr", "en"), ("en", "fr")])
def test_journey_toggle_keeps_the_meeting_and_the_recommendation(open_page, language, other):
    page = open_page(FR_MEETING if language == "fr" else EN_MEETING, language)
    anchor = page.locator(".recommendations > li").nth(7).get_attribute("id")
    page.goto(page.url + f"#{anchor}")
    with page.expect_navigation():
        page.locator(".language-toggle a").click()
    assert page.url.endswith((EN_MEETING if other == "en" else FR_MEETING) + f"#{anchor}")
    assert page.locator("html").get_attribute("lang") == other
    assert is_target(page, f"#{anchor}")
    assert in_viewport(page, f"#{anchor}")


@pytest.mark.parametrize(
    "language, query, word",
    [("fr", "intelligence artificielle", "intelligence"), ("en", "artificial intelligence", "artificial")],
)
def test_journey_search_filter_and_open_a_result(open_page, language, query, word):
    page = open_page("/", language)
    box = page.locator("#site-search")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    assert "/recherche/" in page.url or "/search/" in page.url
    assert page.locator("mark", has_text=word).count() > 0
    heading = page.locator("#results-title").inner_text()
    # Seven hold the words; an eighth is indexed under the subject.
    assert heading.startswith("8 ")

    # The facets come after the results, folded: open them first.
    page.locator(".facets summary").click()
    with page.expect_navigation():
        page.locator(".facets a[href*='year=2022']").click()
    assert "year=2022" in page.url
    assert page.locator(".hits > li").count() == 2

    with page.expect_navigation():
        page.locator(".hits a").first.click()
    fragment = page.url.split("#")[1]
    assert re.fullmatch(r"r\d+-\d+", fragment)
    assert is_target(page, f"#{fragment}")
    assert page.locator(f"#{fragment}").is_visible()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_keyboard_only(open_page, language):
    page = open_page(FR_MEETING if language == "fr" else EN_MEETING, language)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.evaluate("document.activeElement.textContent") == (
        "Passer au contenu principal" if language == "fr" else "Skip to main content"
    )
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Walk the whole page with Tab: every link and control is reached, and
    # focus comes back round instead of being trapped.
    page.reload()
    selector = "a[href], input:not([type=hidden]), select, button, textarea"
    focusable = page.evaluate(f"document.querySelectorAll('{selector}').length")
    reached = []
    for _ in range(focusable + 3):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(f"[...document.querySelectorAll('{selector}')].indexOf(document.activeElement)")
        )
    # Every control, each once, in document order; then focus leaves the page.
    assert reached[:focusable] == list(range(focusable))
    assert page.evaluate("document.querySelector('#site-search') !== null")
    toggle_index = page.evaluate(
        f"[...document.querySelectorAll('{selector}')].indexOf(document.querySelector('.language-toggle a'))"
    )
    assert toggle_index in reached

    # The search box works from the keyboard.
    page.focus("#site-search")
    page.keyboard.type("données" if language == "fr" else "data")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".hits > li").count() > 0


@pytest.mark.parametrize("page_type", ["listing", "meeting", "search-results", "not-found", "about"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_horizontal_scroll_at_320_pixels_or_200_percent_zoom(open_page, page_type, language):
    path = PAGE_TYPES[page_type][language]
    # 320 CSS pixels wide, and 1280 pixels at 200 % zoom (640 CSS pixels).
    for width in (320, 640):
        page = open_page(path, language, width=width, height=800)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        clipped = page.evaluate(
            """() => [...document.querySelectorAll('h1, h2, h3, p, li, a, label, button')]
                .filter(e => e.offsetParent !== null && !e.closest('.visually-hidden') && e.scrollWidth > e.clientWidth + 1
                        && getComputedStyle(e).overflowX === 'hidden')
                .map(e => e.textContent.trim().slice(0, 40))"""
        )
        assert not clipped, f"text cut off at {width}px: {clipped}"


@pytest.mark.parametrize("width", [320, 768, 1024, 1280])
def test_header_fits_a_french_search_and_puts_the_toggle_top_right(open_page, width):
    page = open_page("/fr/reunions/2022/", "fr", width=width)
    header = page.evaluate(
        """query => {
            const box = selector => document.querySelector(selector).getBoundingClientRect();
            const input = document.querySelector('#site-search');
            const style = getComputedStyle(input);
            const context = document.createElement('canvas').getContext('2d');
            context.font = `${style.fontSize} ${style.fontFamily}`;
            const label = document.querySelector('.site-search label');
            return {
                room: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
                query: context.measureText(query).width,
                labelLines: Math.round(label.getBoundingClientRect().height / parseFloat(getComputedStyle(label).lineHeight)),
                toggle: box('.language-toggle a'), name: box('.site-name'), wrap: box('.header-grid'),
            };
        }""",
        "intelligence artificielle",
    )
    assert header["room"] >= header["query"], header
    assert header["labelLines"] == 1, header
    # Top right: level with the site's name, at the right edge of the header.
    assert header["toggle"]["top"] < header["name"]["bottom"]
    assert header["wrap"]["right"] - header["toggle"]["right"] < 20


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{violation['id']}: {node['target']} ({violation['helpUrl']})"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
@pytest.mark.parametrize("language", ["fr", "en"])
def test_axe_finds_no_wcag_violation(open_page, page_type, language):
    page = open_page(PAGE_TYPES[page_type][language], language)
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)
    screenshots = ARTIFACTS / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=screenshots / f"{page_type}-{language}-{width}.png", full_page=True)


def test_axe_gate_can_fail(open_page):
    page = open_page("/fr/reunions/", "fr")
    page.set_content(
        '<!DOCTYPE html><html lang="fr"><head><title>x</title></head><body><main>'
        '<img src="/static/none.png"><input type="text"></main></body></html>'
    )
    violations = "\n".join(axe_violations(page))
    assert "image-alt" in violations
    assert "label" in violations


def vnu_errors(documents, tmp_path):
    if not VNU_JAR.exists():
        _unavailable(
            f"No Nu HTML Checker at {VNU_JAR}",
            "Install it: npm install --prefix .ci/vnu vnu-jar@26.9.27 (or run .ci/run).",
        )
    if not shutil.which("java"):
        _unavailable(
            "No java to run the Nu HTML Checker", "Install it: apt-get install default-jre-headless."
        )
    paths = []
    for name, html in documents.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"
    ]


BROKEN_PAGE = '<!DOCTYPE html><html lang="fr"><head><title>x</title></head><body><img src="x"></body></html>'


@pytest.fixture(scope="module")
def nu_checker_errors(production_server, tmp_path_factory):
    """The Nu checker's errors for every page type in both languages, and for one broken page.

    One run of the checker for all: starting Java is most of its time.
    """
    documents = {"broken": BROKEN_PAGE}
    for page_type, paths in PAGE_TYPES.items():
        for language, path in paths.items():
            request = urllib.request.Request(production_server + path, headers={"Accept-Language": language})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    body = response.read()
            except urllib.error.HTTPError as error:  # the 404 page is a page too
                body = error.read()
            documents[f"{page_type}-{language}"] = body.decode()
    return vnu_errors(documents, tmp_path_factory.mktemp("nu"))


def test_every_page_type_is_valid_html(nu_checker_errors):
    errors = [error for error in nu_checker_errors if not error.startswith("broken.html:")]
    assert not errors, "\n".join(errors)


def test_html_gate_can_fail(nu_checker_errors):
    assert any(error.startswith("broken.html:") and "alt" in error for error in nu_checker_errors)


def test_a_missing_nu_checker_is_named_in_the_skip(monkeypatch, tmp_path):
    # Chromium may well be there; the reason must name what is missing.
    monkeypatch.setattr(sys.modules[__name__], "VNU_JAR", Path("/nowhere/vnu.jar"))
    monkeypatch.delenv("CCS_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        vnu_errors({"page": "<!DOCTYPE html>"}, tmp_path)
    assert str(skipped.value.msg).startswith(
        "No Nu HTML Checker at /nowhere/vnu.jar. Install it: npm install"
    )
    assert "chromium" not in skipped.value.msg


@pytest.fixture(scope="session")
def staff_login(django_db_setup, django_db_blocker):
    """An administrator the server can see: committed, like the archive.

    Made in a thread of its own: Playwright's event loop runs in this one,
    and Django refuses database work where an event loop is running.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import User
    from django.db import connection

    def create():
        try:
            User.objects.filter(username="browser-admin").delete()
            user = User.objects.create_superuser("browser-admin")
            # Hashed the production way: the server checks it with the production hashers.
            hasher = PBKDF2PasswordHasher()
            user.password = hasher.encode("browser-admin-password-123", hasher.salt())
            user.save()
        finally:
            connection.close()

    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(create).result()
    return {"username": "browser-admin", "password": "browser-admin-password-123"}


def log_in(page, login):
    page.fill("#id_username", login["username"])
    page.fill("#id_password", login["password"])
    with page.expect_navigation():
        page.click("input[type=submit]")


def box(page, selector):
    return page.locator(selector).bounding_box()


def test_admin_works_under_the_content_security_policy(staff_login, open_page):
    page = open_page("/admin/login/", "fr")
    log_in(page, staff_login)
    page.goto(page.url.split("/admin/")[0] + "/admin/meetings/meeting/1/change/")
    # The whole meeting on one page: nested_admin's script adds a recommendation row.
    rows = page.locator("#themes-0-recommendations-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#themes-0-recommendations-group .djn-add-handler").first.click()
    assert rows.count() == before + 1
    violations = [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]
    assert not violations, violations


@pytest.mark.parametrize("language", ["fr", "en"])
def test_on_a_phone_the_first_hit_is_above_the_fold(open_page, language):
    page = open_page(PAGE_TYPES["search-results"][language], language, width=375, height=667)
    # One search box on the search page: the header's gives way to the page's own.
    assert page.locator("input[type=search]").count() == 1
    first_hit = page.locator(".hits > li").first.bounding_box()
    assert first_hit["y"] < 667
    # The facets come after the results, folded, and open without JavaScript.
    assert page.locator("details.facets").get_attribute("open") is None


@pytest.mark.parametrize("language", ["fr", "en"])
def test_admin_shows_french_and_english_side_by_side_then_stacked(staff_login, open_page, language):
    page = open_page("/admin/login/", language)
    log_in(page, staff_login)
    base = page.url.split("/admin/")[0]
    page.goto(base + "/admin/meetings/meeting/1/change/")
    french, english = box(page, "#id_title_fr"), box(page, "#id_title_en")
    assert abs(french["y"] - english["y"]) < 2 and french["x"] < english["x"]
    assert french["width"] > 400 and english["width"] > 400
    # A recommendation's whole text shows: its box grows with the text.
    text = page.locator("#id_themes-0-recommendations-1-text_fr")
    assert text.evaluate("e => e.scrollHeight <= e.clientHeight + 2")
    # No button sits over the meeting's title.
    title, tools = box(page, "#content > h2"), box(page, ".object-tools")
    assert tools["y"] >= title["y"] + title["height"] - 1
    page.set_viewport_size({"width": 375, "height": 800})
    french, english = box(page, "#id_title_fr"), box(page, "#id_title_en")
    assert english["y"] > french["y"] and abs(english["x"] - french["x"]) < 2

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(base + "/admin/meetings/meeting/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    published = box(page, "th.column-is_published")
    assert published and published["x"] + published["width"] <= 1280


JOURNEY = {
    "fr": {"date": "15 février 2024", "word": "xylophonistes", "editor": "redactrice"},
    "en": {"date": "16 février 2024", "word": "marimbistes", "editor": "editor"},
}


@pytest.fixture
def journey_cleanup(django_db_blocker):
    """Remove what a journey committed, so that later tests see the archive as it was."""
    yield
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.models import User
    from django.db import connection
    from reversion.models import Revision

    from meetings.models import Meeting, SearchTerm

    def clean():
        try:
            Meeting.objects.filter(date__in=["2024-02-15", "2024-02-16"]).delete()
            usernames = [journey["editor"] for journey in JOURNEY.values()]
            Revision.objects.filter(user__username__in=usernames).delete()
            User.objects.filter(username__in=usernames).delete()
            words = [journey["word"] for journey in JOURNEY.values()] + ["marimbists", "xylophonists"]
            SearchTerm.objects.filter(word__in=words).delete()
        finally:
            connection.close()

    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(clean).result()


def assert_accessible(page):
    # No exception is needed on these admin pages: the labels that Django's
    # tabular rows lack, and its colour-only links, are fixed in admin.py and
    # admin.css.
    violations = axe_violations(page)
    assert not violations, page.url + "\n" + "\n".join(violations)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_journey_import_translate_publish_and_find(
    staff_login, open_page, source_text, journey_cleanup, language
):
    journey = JOURNEY[language]
    password = "an-editor-password-2026"

    # An administrator makes the editor.
    page = open_page("/admin/login/", language)
    log_in(page, staff_login)
    base = page.url.split("/admin/")[0]
    page.goto(base + "/admin/auth/user/add/")
    page.fill("#id_username", journey["editor"])
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    with page.expect_navigation():
        page.click("input[name=_save]")
    page.check("#id_is_staff")
    page.select_option("#id_groups_from", label="Editors")
    page.click("#id_groups_add")
    with page.expect_navigation():
        page.click("input[name=_save]")

    # The editor pastes the newly published French text, previews, confirms.
    page = open_page("/admin/login/", language)
    log_in(page, {"username": journey["editor"], "password": password})
    page.goto(base + "/admin/meetings/meeting/")
    with page.expect_navigation():
        page.locator(".object-tools a[href$='/import/']").click()
    assert_accessible(page)
    lines = source_text("fr").splitlines()
    meeting = lines[lines.index("3 octobre 2023") + 1 : lines.index("3 avril 2023")]
    text = "\n".join([journey["date"], *meeting]).replace(
        "foires ou d'événements locaux", f"foires, de concerts de {journey['word']} ou d'événements locaux"
    )
    page.fill("#id_text_fr", text)
    with page.expect_navigation():
        page.click("input[name=preview]")
    assert page.locator(".import-theme").count() == 5
    assert page.locator(".import-theme tbody tr").count() == 16
    assert_accessible(page)
    with page.expect_navigation():
        page.click("input[name=confirm]")
    assert "/change/" in page.url
    assert_accessible(page)

    # French | English side by side: fill every empty English box, publish.
    empty = page.locator("textarea[lang=en]:visible, input[lang=en]:visible")
    for index in range(empty.count()):
        box = empty.nth(index)
        if not box.input_value() and box.get_attribute("name").endswith(
            ("title_en", "objective_en", "text_en")
        ):
            french = page.locator(f"[name='{box.get_attribute('name')[:-3]}_fr']").input_value()
            box.fill(f"[EN] {french}")
    page.check("#id_is_published")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert page.locator(".messagelist .success").count() == 1, page.locator(".errornote").all_inner_texts()

    # The public finds the new recommendation by search.
    page = open_page(f"/{language}/", language)
    box = page.locator("#site-search")
    box.fill(journey["word"])
    with page.expect_navigation():
        box.press("Enter")
    hits = page.locator(".hits > li")
    assert hits.count() == 1
    assert journey["word"] in hits.first.inner_text()
