"""The site in a real browser: Debian's Chromium driven by Playwright against ``stenogram serve``.

The other web tests read HTML as text; these check what a reader meets: links that lead where
they say, a facet click that narrows the results, a layout that fits a phone, and hostile content
that stays inert once a browser has parsed it, with the CSP really enforced. A screenshot of each
step goes to ``test-output/screenshots/`` for a person to look at.

Never ``playwright install``: the browser is the system's (``apt-get install chromium``), and
without it these tests skip, saying so.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, sync_playwright

from webutil import IMG, JS_URL, SCRIPT, build, free_port

CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network: without the background-networking flags Chromium keeps opening
# connections that are refused. Playwright gives each launch a fresh --user-data-dir.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
PHONE: ViewportSize = {"width": 375, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
#: A phrase the fixture pages say in speeches by several speakers (checked by reading them).
PHRASE = '"foreign policy"'
#: Two terms for a trend: a word and that phrase.
TERMS = ["security", "foreign policy"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[str]:
    """``stenogram serve`` in its own process, on a free loopback port."""
    tmp = tmp_path_factory.mktemp("browser")
    settings, _ = build(tmp, shared_dir)
    port = free_port()
    log = (tmp / "server.log").open("wb")
    command = [sys.executable, "-m", "stenogram", "serve", "--archive", str(settings.archive)]
    proc = subprocess.Popen([*command, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/events", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the server did not start: " + (tmp / "server.log").read_text()[-2000:])
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with every dialog, console message and script error it produced."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path

    def shot(self, name: str, *, full_page: bool = True) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"{name}.png", full_page=full_page)

    def fits(self) -> None:
        """No horizontal scroll: nothing is wider than the viewport."""
        width = self.page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
        )
        assert max(width[0], width[2]) <= width[1], (self.page.url, width)


def _watched(browser: Browser, base: str, viewport: ViewportSize) -> Iterator[Watched]:
    context = browser.new_context(viewport=viewport)
    try:
        yield Watched(context.new_page(), base)
    finally:
        context.close()


@pytest.fixture
def tab(browser: Browser, server: str) -> Iterator[Watched]:
    yield from _watched(browser, server, DESKTOP)


@pytest.fixture
def phone(browser: Browser, server: str) -> Iterator[Watched]:
    yield from _watched(browser, server, PHONE)


@pytest.fixture(scope="module")
def seed_expected(shared_dir: Path) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads(
        (shared_dir / "contract" / "seed.expected.json").read_text(encoding="utf-8")
    )
    return expected


def test_seed_event_page_transcript_speakers_and_tags(
    tab: Watched, seed_expected: dict[str, Any]
) -> None:
    page = tab.page
    tab.go("/")
    tab.shot("01-home")
    page.get_by_role("link", name=seed_expected["title"], exact=True).first.click()
    page.wait_for_selector("#event[data-event-id]")
    tab.shot("02-seed-event")
    assert page.locator("h1.title").inner_text() == seed_expected["title"]

    speeches = page.locator("#transcript .speech")
    expected = seed_expected["speeches"]
    assert speeches.count() == len(expected)
    for i, want in enumerate(expected):
        speech = speeches.nth(i)
        assert speech.get_attribute("id") == f"s{i + 1}"
        assert speech.locator(".who .speaker").inner_text() == want["speaker"]
        assert speech.locator(".who .role").inner_text() == want["role"]
        assert speech.locator("p:not(.who)").first.inner_text() == want["paragraphs"][0]
        href = speech.locator(".who a.speaker").get_attribute("href") or ""
        assert href.startswith("/persons/")
    assert page.locator(".omission").count() >= 1 and page.locator(".narrative").count() >= 1

    tags = page.locator(".event-footer .tag")
    shown = [tags.nth(i).inner_text() for i in range(tags.count())]
    wanted = [
        name for kind in ("geography", "topics", "persons") for name in seed_expected["tags"][kind]
    ]
    assert shown == wanted
    for i in range(tags.count()):
        assert (tags.nth(i).get_attribute("href") or "").startswith("/tags/")

    # The first speaker's link leads to that person's page.
    first = expected[0]["speaker"]
    page.locator("#s1 .who a.speaker").click()
    page.wait_for_selector("#person[data-person-id]")
    assert page.locator("#person h1").inner_text() == first
    tab.shot("03-person")
    page.go_back()

    # A topic tag lists the events tagged with it, the seed among them.
    topic = seed_expected["tags"]["topics"][0]
    page.locator(".tags-topics .tag", has_text=topic).click()
    page.wait_for_selector("#events .event-item")
    assert page.get_by_role("link", name=seed_expected["title"], exact=True).count() == 1
    tab.shot("04-tag")
    assert not tab.errors and not tab.dialogs


def _hits(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        "#results .hit",
        """hits => hits.map(h => ({
            speaker: h.querySelector('.speaker')?.textContent ?? '',
            marks: [...h.querySelectorAll('.snippet b')].map(b => b.textContent.toLowerCase()),
        }))""",
    )
    return found


def test_search_phrase_then_facet_narrows(tab: Watched) -> None:
    page = tab.page
    tab.go("/")
    page.locator("header .search-box input[name=q]").fill(PHRASE)
    page.locator("header .search-box input[name=q]").press("Enter")
    page.wait_for_selector("#results .hit")
    tab.shot("05-search")
    assert parse_qs(urlsplit(page.url).query)["q"] == [PHRASE]
    before = _hits(page)
    assert len(before) > 1
    # Every hit shows the phrase highlighted, and only it (words compared on a prefix).
    words = [word[:5] for word in PHRASE.strip('"').split()]
    for hit in before:
        marks = {mark[:5] for mark in " ".join(hit["marks"]).split()}
        assert marks and marks <= set(words), hit
    assert any(" ".join(h["marks"]).startswith(PHRASE.strip('"')) for h in before)

    facet = page.locator('.facet[data-facet="speaker"]').first
    name = facet.inner_text()
    facet.click()
    page.wait_for_url("**/search?*speaker*")
    page.wait_for_selector("#results .hit")
    tab.shot("06-facet")
    query = parse_qs(urlsplit(page.url).query)["q"][0]
    assert query.startswith(PHRASE) and "speaker:" in query  # by person id
    after = _hits(page)
    assert 0 < len(after) < len(before)
    assert {h["speaker"] for h in after} == {name}
    assert page.locator("header .search-box input[name=q]").input_value() == query


def test_speech_permalink_has_context_and_citation(tab: Watched) -> None:
    page = tab.page
    tab.go("/search?q=" + PHRASE)
    hit = page.locator("#results .hit").first
    event_title = hit.locator(".event-link").inner_text()
    marks = hit.locator(".snippet b").all_inner_texts()
    hit.locator(".permalink").click()
    page.wait_for_selector("#citation")
    tab.shot("07-speech")
    assert urlsplit(page.url).path.startswith("/speeches/")
    focus = page.locator(".speech.focus").inner_text().lower()
    assert all(mark.lower() in focus for mark in marks)
    assert page.locator(".context").count() >= 1
    citation = page.locator("#citation").inner_text()
    assert event_title in citation
    # The citation's anchor leads back to the speech in its event's transcript.
    anchor = re.split(r"[Aa]rchived at ", citation)[-1].strip()
    assert anchor.startswith(f"{tab.base}/events/") and "#s" in anchor
    tab.go(anchor.removeprefix(tab.base))
    fragment = urlsplit(anchor).fragment
    assert page.locator(f"#{fragment}.speech").inner_text().lower().count(marks[0].lower()) >= 1


def test_phone_width_has_no_horizontal_scroll(phone: Watched) -> None:
    page = phone.page
    phone.go("/")
    event = page.locator("#events .event-item a.event-title").first.get_attribute("href")
    for name, path in [
        ("08-phone-home", "/"),
        ("09-phone-event", str(event)),
        ("10-phone-search", "/search?q=" + PHRASE),
        ("11-phone-persons", "/persons"),
        ("12-phone-topics", "/tags/topics"),
    ]:
        phone.go(path)
        phone.shot(name, full_page=False)  # what the reader sees first, at the phone's scale
        phone.fits()
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('main p, main li')).fontSize)"
        )
        assert size >= 14, (path, size)
    phone.go("/search?q=" + PHRASE)
    page.locator("#results .permalink").first.click()
    page.wait_for_selector("#citation")
    phone.shot("13-phone-speech", full_page=False)
    phone.fits()


def test_hostile_content_is_inert_in_the_browser(tab: Watched) -> None:
    page = tab.page
    event = httpx.get(f"{tab.base}/api/events/hostile-1").json()["event"]
    speech = event["speeches"][0]["id"]
    for name, path in [
        ("14-hostile-event", "/events/hostile-1"),
        ("15-hostile-speech", f"/speeches/{speech}"),
        ("16-hostile-search", "/search?q=alert"),
        ("17-hostile-home", "/"),
    ]:
        tab.go(path)
        page.wait_for_load_state("load")
        tab.shot(name)
        scripts = page.eval_on_selector_all("script", "s => s.map(e => e.getAttribute('src'))")
        assert scripts == ["/static/htmx.min.js", "/static/copy.js"], path
        assert page.locator('[href^="javascript:" i], [src^="javascript:" i]').count() == 0
        handlers = page.evaluate(
            "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
            ".filter(a => a.name.startsWith('on')).length"
        )
        assert handlers == 0, path
        foreign = "[...document.images].filter(i => !i.src.startsWith(location.origin)).length"
        assert page.evaluate(foreign) == 0, path
    tab.go("/events/hostile-1")
    # The markup is shown as the text it is.
    assert page.locator("h1.title").inner_text().startswith(SCRIPT)
    assert f"Hello {SCRIPT} and {IMG}" in page.locator("#s1").inner_text()
    assert JS_URL in page.locator("#s1").inner_text()
    assert not tab.dialogs and not tab.errors


def test_csp_refuses_inline_script(tab: Watched) -> None:
    """Even if an escaping bug let markup through, the browser would not run an inline script."""
    page = tab.page
    response = page.goto(tab.base + "/events/hostile-1")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    refused = page.evaluate(
        """() => new Promise(done => {
            document.addEventListener('securitypolicyviolation',
                e => done(e.violatedDirective), {once: true});
            const s = document.createElement('script');
            s.textContent = 'window.__ran = true; alert(1)';
            document.body.appendChild(s);
            setTimeout(() => done(null), 2000);
        })"""
    )
    assert refused is not None and refused.startswith("script-src")
    assert page.evaluate("window.__ran === undefined")
    assert not tab.dialogs
    assert any("Content Security Policy" in line for line in tab.console)


# --- the first hour: citations to copy, the API's docs offline, accessibility -----------------


def test_cite_block_copies_the_citation(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    try:
        tab = Watched(context.new_page(), server)
        page = tab.page
        tab.go("/events/51437")
        block = page.locator("section.cite")
        block.scroll_into_view_if_needed()
        citation = page.locator("#citation").inner_text()
        assert citation.endswith(f"Archived at {server}/events/51437")
        assert page.locator(".cite-source").get_attribute("href") == (
            "http://en.kremlin.ru/events/president/news/51437"
        )
        page.get_by_role("button", name="Copy citation").click()
        page.wait_for_selector(".cite .copied:has-text('Copied')")
        assert page.evaluate("navigator.clipboard.readText()") == citation
        block.screenshot(path=_shot_path("18-cite-block"))
        assert not tab.errors and not tab.dialogs
    finally:
        context.close()


def _shot_path(name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"


def test_docs_work_with_no_network(tab: Watched) -> None:
    """Swagger UI comes from the package: with every other host cut off, the operations show."""
    page = tab.page
    refused: list[str] = []

    def only_here(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    operations = httpx.get(f"{tab.base}/api/").json()["operations"]
    tab.go("/docs")
    page.wait_for_selector("#swagger-ui .opblock")
    assert page.locator("#swagger-ui .opblock").count() == len(operations)
    assert page.locator("#operations").is_hidden()  # the plain list gives way to Swagger UI
    page.locator("#swagger-ui .opblock-summary").first.click()
    page.wait_for_selector("#swagger-ui .opblock-body")
    tab.shot("19-docs")
    assert refused == [] and not tab.errors
    assert not [line for line in tab.console if "Content Security Policy" in line]


def _long_sentence(base: str) -> str:
    """A long sentence of the first fixture page with one, as the archive stores it."""
    events = httpx.get(f"{base}/api/events?per_page=100").json()["events"]
    for summary in sorted(events, key=lambda e: e["event_id"]):
        record = httpx.get(f"{base}/api/events/{summary['event_id']}").json()["event"]
        for speech in record["speeches"]:
            for sentence in re.split(r"(?<=[.!?])\s+", speech["text"]):
                if 15 <= len(sentence.split()) <= 40 and record["language"] == "en":
                    return str(sentence)
    raise AssertionError("no fixture page has a long English sentence")


def _reworded(sentence: str) -> tuple[str, str]:
    """The sentence with its fifth word changed, as quotes circulate, and that word."""
    said = sentence.split()
    return " ".join([*said[:4], "allegedly", *said[5:]]), said[4]


def test_check_a_reworded_quote_shows_the_differences_and_a_permalink(tab: Watched) -> None:
    page = tab.page
    quote, changed = _reworded(_long_sentence(tab.base))
    tab.go("/check")
    page.get_by_label("The quote as it circulates").fill(quote)
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector(".verdict")
    tab.shot("20-check")
    assert page.locator(".verdict-name").inner_text() == "close"
    best = page.locator(".check-match").first
    assert best.locator("del").first.inner_text() == changed
    assert best.locator("ins").first.inner_text() == "allegedly"
    assert best.locator(".permalink").get_attribute("href") == (
        f"/speeches/{best.get_attribute('data-speech-id')}"
    )
    # The verdict page is a permalink: followed, it shows the same verdict for the same quote.
    page.locator(".check-permalink").click()
    page.wait_for_selector(".verdict")
    assert parse_qs(urlsplit(page.url).query)["q"] == [quote]
    assert page.locator(".check-match del").first.inner_text() == changed
    # And the passage's speech permalink leads to the speech, which links back to a check.
    page.locator(".check-match .permalink").first.click()
    page.wait_for_selector(".speech.focus")
    assert changed in page.locator(".speech.focus").inner_text()
    assert page.locator("a.check-link").count() == 1
    assert not tab.errors and not tab.dialogs


def _a11y_pages(base: str) -> dict[str, str]:
    events = httpx.get(f"{base}/api/events?per_page=100").json()["events"]
    russian = next(e for e in events if re.search("[а-яА-Я]", e["title"]))
    seed = next(e for e in events if e["title"] == "CSTO summit")
    person = httpx.get(f"{base}/api/persons").json()["persons"][0]["person_id"]
    speech = httpx.get(f"{base}/api/events/{russian['event_id']}").json()["event"]["speeches"][0]
    return {
        "home": "/",
        "search": "/search?q=" + PHRASE,
        "event": seed["permalink"],
        "event-ru": russian["permalink"],
        "speech-ru": f"/speeches/{speech['id']}",
        "person": f"/persons/{person}",
        "error": "/search?q=speaker:",
        "past-end": "/events?page=99",
        "help": "/help/query",
        "docs": "/docs",
        "check": "/check?" + urlencode({"q": _reworded(_long_sentence(base))[0]}),
        "stats": "/stats",
        "stats-trend": "/stats/trend?" + urlencode({"term": TERMS, "per": "speaker"}, doseq=True),
        "stats-network": f"/stats/network?person={person}",
        "stats-calendar": "/stats/calendar",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_serious_accessibility_violations(
    browser: Browser, server: str, scheme: Any
) -> None:
    """axe-core (shipped by axe-playwright-python, nothing fetched) finds nothing serious or
    critical on the pages a reader meets first, in either colour scheme."""
    context = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
    found: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        for name, path in _a11y_pages(server).items():
            page.goto(server + path)
            page.wait_for_load_state("load")
            if name == "docs":
                page.wait_for_selector("#swagger-ui .opblock")
            violations = Axe().run(page).response["violations"]
            found[name] = [
                f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
    finally:
        context.close()
    assert found == {name: [] for name in found}


def test_russian_text_skip_link_and_labels(tab: Watched) -> None:
    page = tab.page
    pages = _a11y_pages(tab.base)
    tab.go(pages["event-ru"])
    assert page.locator("#transcript").get_attribute("lang") == "ru"
    assert page.locator("#event h1.title").evaluate("e => e.closest('[lang]').lang") == "ru"
    assert page.locator("footer.site").evaluate("e => e.closest('[lang]').lang") == "en"
    tab.go("/")
    russian = page.locator("#events .event-item[lang=ru]")
    titles = [t for t in russian.locator(".event-title").all_inner_texts()]
    assert titles and all(re.search("[а-яА-Я]", t) for t in titles)
    # The first Tab reaches the skip link, and following it moves the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for path in ("/", pages["error"], "/search?q=" + PHRASE):
        page.goto(tab.base + path)
        if path == pages["error"]:
            tab.shot("20-error")
        unlabelled = page.evaluate(
            "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
            ".filter(e => !e.labels.length && !e.getAttribute('aria-label')).length"
        )
        assert unlabelled == 0, path


# --- statistics: a trend asked, split and downloaded; a person's network on a phone -----------


def _loaded(page: Page, selector: str) -> dict[str, float]:
    """The size an image was drawn at, once it has loaded (a chart that failed has none)."""
    page.wait_for_function(
        f"document.querySelector({json.dumps(selector)}).complete", timeout=30_000
    )
    size: dict[str, float] = page.eval_on_selector(
        selector, "i => ({natural: i.naturalWidth, width: i.getBoundingClientRect().width})"
    )
    return size


def test_trend_of_two_terms_per_speaker_and_its_csv(tab: Watched, tmp_path: Path) -> None:
    page = tab.page
    tab.go("/stats")
    page.get_by_role("link", name="Term trends").click()
    page.wait_for_selector("#stats-form")
    page.get_by_label("Term 1").fill(TERMS[0])
    page.get_by_label("Term 2").fill(TERMS[1])
    page.get_by_role("button", name="Count").click()
    page.wait_for_selector("#chart img.chart")
    assert _loaded(page, "#chart img.chart")["natural"] > 0
    tab.shot("21-stats-trend")
    assert parse_qs(urlsplit(page.url).query)["term"] == TERMS
    assert set(page.locator("#data tbody tr td:first-child").all_inner_texts()) == set(TERMS)
    assert page.locator("#data thead th").all_inner_texts()[:2] == ["term", "period"]

    page.get_by_label("Split").select_option("speaker")
    page.get_by_role("button", name="Count").click()
    page.wait_for_url("**per=speaker**")
    assert _loaded(page, "#chart img.chart")["natural"] > 0
    tab.shot("22-stats-trend-per-speaker")
    assert page.locator("#data thead th").all_inner_texts()[:2] == ["term", "speaker"]
    rows = page.locator("#data tbody tr")
    pairs = {tuple(rows.nth(i).locator("td").all_inner_texts()[:2]) for i in range(rows.count())}
    assert {term for term, _ in pairs} == set(TERMS) and len(pairs) > len(TERMS)
    assert page.get_by_label("Term 2").input_value() == TERMS[1]  # the form keeps the question

    with page.expect_download() as download:
        page.locator("a.download[data-kind=csv]").click()
    saved = tmp_path / "trend.csv"
    download.value.save_as(saved)
    got = list(csv.reader(saved.open(encoding="utf-8")))
    assert got[0] == page.locator("#data thead th").all_inner_texts()
    assert len(got) - 1 == rows.count()
    assert {tuple(row[:2]) for row in got[1:]} == pairs
    # The permalink asks the same question (without the form's empty boxes).
    table = page.locator("#data").inner_text()
    tab.go(str(page.locator("#permalink").get_attribute("href")))
    assert page.locator("#data").inner_text() == table
    assert not tab.errors and not tab.dialogs


def test_person_network_fits_a_phone(phone: Watched) -> None:
    page = phone.page
    persons = httpx.get(f"{phone.base}/api/persons").json()["persons"]
    person = max(persons, key=lambda p: p["words"])["person_id"]
    phone.go(f"/persons/{person}")
    chart = "#network img.chart"
    page.locator(chart).scroll_into_view_if_needed()
    size = _loaded(page, chart)
    phone.shot("23-phone-person-network", full_page=False)
    phone.fits()
    # Drawn wider than the phone, so that its names stay legible, in a box that scrolls alone.
    assert size["natural"] > 0 and size["width"] > PHONE["width"]
    box = page.locator("#network .chart-scroll").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    page.locator("#network .chart-scroll").evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    phone.shot("23b-phone-person-network-scrolled", full_page=False)
    phone.fits()
    assert "appears with" in (page.locator(chart).get_attribute("alt") or "").lower()
    # The text alternative: every pair and its events together, in the disclosure below.
    page.locator("#person-network summary").click()
    table = page.locator("#network-table")
    assert table.is_visible() and table.locator("tbody tr").count() >= 1
    phone.shot("24-phone-person-network-table", full_page=False)
    phone.fits()
    assert not phone.errors
