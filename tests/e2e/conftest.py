"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live
server. The tests read pages as a person would, in English and in Romanian.

Chromium comes from the system (`apt-get install chromium`), never from Playwright's own
download. When /usr/bin/chromium is missing the session tries to install it once; only if that
fails are the browser tests skipped, with the reason.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
PO_FILE = REPO / "src" / "servicedesk" / "locale" / "ro" / "LC_MESSAGES" / "django.po"
PASSWORD = "pw-for-tests"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


_missing: list[str | None] = []


def _chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run, or None; tries an install once per session."""
    if _missing:
        return _missing[0]
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(
            "apt-get update -qq && apt-get install -y -qq chromium chromium-driver",
            shell=True,
            check=False,
            capture_output=True,
            timeout=900,
        )
    _missing.append(
        None
        if CHROMIUM.exists()
        else "Chromium is not at /usr/bin/chromium and could not be installed "
        "(run: apt-get install -y chromium chromium-driver)"
    )
    return _missing[0]


@pytest.fixture
def browser(monkeypatch):
    """Chromium for one test.

    Playwright's sync API keeps an event loop running in this thread while it is started. Django
    then files the ORM calls of the test under a connection of their own (and would refuse them
    as "async" without DJANGO_ALLOW_ASYNC_UNSAFE; they are plain synchronous calls). Starting and
    stopping it around each test, and closing that connection, leaves the thread as it was for
    the tests that follow.
    """
    reason = _chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()


@pytest.fixture(scope="module", autouse=True)
def _migrated_data_restored(django_db_blocker):
    """Put back what the data migrations wrote (calendars, SLA policies…) after this module.

    Each browser test runs with serialized_rollback: it starts from that data and ends with an
    empty database. Transactional tests elsewhere in the suite expect the data to be there.
    """
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@dataclass
class Person:
    """One person at one browser: their page, signed in."""

    page: object
    base: str
    lang: str

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def submit(self, locator) -> None:
        """Click something that loads a new page, and wait for that page."""
        with self.page.expect_navigation():
            locator.click()

    def t(self, msgid: str, context: str | None = None) -> str:
        """What the interface says for `msgid` in this person's language."""
        with translation.override(self.lang):
            if context:
                return translation.pgettext(context, msgid)
            return translation.gettext(msgid)

    def shot(self, name: str) -> None:
        folder = SCREENSHOTS / self.lang
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def person(browser, live_server):
    """person(user, lang="en", viewport=DESKTOP) → that user signed in through the login page."""
    contexts = []

    def open_as(user, *, lang="en", viewport=None, sign_in=True) -> Person:
        context = browser.new_context(
            viewport=viewport or DESKTOP, locale="ro-RO" if lang == "ro" else "en-GB"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        someone = Person(page=page, base=live_server.url, lang=lang)
        if sign_in:
            page.goto(live_server.url + "/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", PASSWORD)
            page.locator("form:has(#id_username) button[type=submit]").click()
            page.wait_for_load_state()
            assert "/login/" not in page.url, f"{user.username} could not sign in"
        return someone

    yield open_as
    for context in contexts:
        context.close()


# ---------------------------------------------------------------------------------------------
# English left on a Romanian page


def _po_english() -> set[str]:
    """The English source strings of the interface whose Romanian differs (from django.po)."""
    text = PO_FILE.read_text(encoding="utf-8")
    english = set()
    for block in text.split("\n\n")[1:]:
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        msgid = _po_field(body, "msgid")
        msgstr = _po_field(body, "msgstr") or _po_field(body, r"msgstr\[0\]")
        if msgid and msgstr and msgid != msgstr:
            english.add(msgid)
    return english


def _po_field(body: str, key: str) -> str | None:
    match = re.search(rf"^{key} ((?:\".*\"\n?)+)", body + "\n", re.M)
    if not match:
        return None
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))).replace('\\"', '"')


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd0-9]*[sd]|%[sd]|%%")
# Django's own strings that appear on these pages (its forms and validation).
DJANGO_ENGLISH = {
    "Username",
    "Password",
    "This field is required.",
    "Select a valid choice.",
    "- Select an option -",
}
_SOURCE = _po_english() | DJANGO_ENGLISH
ENGLISH = {s for s in _SOURCE if not PLACEHOLDER.search(s)}
# Strings with placeholders become patterns matched against a whole text; multi-word strings are
# also looked for inside longer texts (e.g. "Logged through: Email" within a line).


def _pattern(source: str) -> re.Pattern:
    parts = [re.escape(part) for part in PLACEHOLDER.split(source)]
    return re.compile(r"(?<!\w)" + ".+?".join(parts) + r"(?!\w)")


def _words(source: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", PLACEHOLDER.sub(" ", source)))


ENGLISH_WHOLE = [
    re.compile("".join(["^", _pattern(s).pattern, "$"]))
    for s in _SOURCE
    if PLACEHOLDER.search(s) and _words(s) >= 1
]
ENGLISH_INSIDE = [
    _pattern(s)
    for s in sorted(_SOURCE, key=len, reverse=True)
    if _words(s) >= (2 if PLACEHOLDER.search(s) else 3)
]

_VISIBLE_TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, template, [hidden]')) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
    for (const name of ['aria-label', 'placeholder', 'title']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push(value.trim());
    }
  }
  return out;
}"""


def english_left(page) -> list[str]:
    """Texts of the page that are English interface strings (it should be all Romanian)."""
    found = []
    for text in page.evaluate(_VISIBLE_TEXTS):
        stripped = text.strip(" :·—→←✕()")
        if stripped in ENGLISH or text in ENGLISH:
            found.append(text)
            continue
        match = next((p for p in ENGLISH_WHOLE if p.match(stripped)), None) or next(
            (p for p in ENGLISH_INSIDE if p.search(text)), None
        )
        if match is not None:
            found.append(text)
    return found


# ---------------------------------------------------------------------------------------------
# Accessibility

BLOCKING = {"serious", "critical"}


def axe_blocking(page) -> list[str]:
    """The serious and critical axe violations of the page, each with up to three targets."""
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in BLOCKING
    ]


def page_problems(someone) -> list[str]:
    """What a person's page must not have: blocking axe violations and, on a Romanian page,
    English interface strings."""
    problems = axe_blocking(someone.page)
    if someone.lang == "ro":
        problems += [f"English: {t}" for t in english_left(someone.page)]
    return problems
