"""End to end: the real page, served in-process on loopback, driven by headless Chromium at
a desktop (1366x900) and a phone (390x844) size.

Each test runs at both sizes: it asks as a person would, by mouse and keyboard, checks
what is shown, runs axe-core (from the axe-playwright-python package) and fails on any
serious or critical violation, and saves screenshots under tests/artifacts/. It uses
Debian's /usr/bin/chromium (Playwright's own browsers cannot be downloaded here).
Without Chromium it skips locally, and fails in CI (CI is set).
"""

import json
import re
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
ANSWER_TIMEOUT_MS = 30_000
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FRENCH = "Which French cities are twinned with Torino?"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


FRENCH_ROW = re.compile(r"^[^|]+ \| France \| [^|]+\(\d{4}\)$")  # a table row of a French city


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def url(assistant, settings) -> Iterator[str]:
    """The page, served from this process with the session's assistant."""
    from assistant.app import create_app, launch

    app = create_app(assistant, settings)
    address = launch(app, "127.0.0.1", free_port(), block=False)
    yield address
    app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def page(browser: Browser, url: str, size: str) -> Iterator[Page]:
    """A fresh browser session on the page at one size; it fails the test if a dialog opens."""
    context = browser.new_context(viewport=SIZES[size], accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()
    assert not dialogs, f"a dialog opened: {dialogs}"


# --- Helpers --------------------------------------------------------------------------


def ask(page: Page, question: str) -> None:
    """Type a question, send it with Enter, and wait for its answer."""
    answers = page.locator("#log .answer")
    before = answers.count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    expect(answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)


def answer(page: Page, index: int = -1):
    answers = page.locator("#log .answer")
    return answers.last if index == -1 else answers.nth(index)


def screenshot(page: Page, name: str, size: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{size}-{name}.png"), full_page=True)


def assert_accessible(page: Page) -> None:
    """axe-core over the whole page: no serious or critical violation."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}).response
    bad = [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not bad, "\n".join(bad)


# Every visible control outside running text, with its box; the footer is Gradio's own.
CONTROLS_JS = """() => [...document.querySelectorAll(
    'button, summary, input, textarea, select, a:not(.cite-ref), [role="tab"]')]
  .filter(e => !e.closest('footer') && e.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})
    && !e.closest('[aria-hidden="true"]'))
  .map(e => { const r = e.getBoundingClientRect();
    return {name: (e.getAttribute('aria-label') || e.textContent || e.id || e.tagName).trim().slice(0, 50),
            x: r.x, y: r.y + scrollY, w: r.width, h: r.height, tag: e.tagName,
            inner: !!e.parentElement.closest('button, summary, a')}; })
  .filter(b => b.w > 0 && b.h > 0 && !b.inner)"""


def assert_targets_and_no_overlap(page: Page) -> None:
    """Touch targets are at least 44x44 px (text inputs 44 px high) and none overlaps another."""
    controls = page.evaluate(CONTROLS_JS)
    small = [c for c in controls if c["h"] < 44 - 0.5 or (c["tag"] not in {"INPUT", "TEXTAREA", "A"} and c["w"] < 44 - 0.5)]
    assert not small, f"targets under 44 px: {small}"
    for i, a in enumerate(controls):
        for b in controls[i + 1 :]:
            overlap_x = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            overlap_y = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            assert overlap_x <= 1 or overlap_y <= 1, f"{a['name']!r} overlaps {b['name']!r}"


def feedback_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


# --- The page -------------------------------------------------------------------------


def test_first_visit_shows_the_question_box_and_examples_without_scrolling(page: Page, size: str) -> None:
    expect(page.locator("#masthead h1")).to_have_text("Torino report assistant")
    box = page.get_by_role("textbox", name="Your question")
    expect(box).to_be_visible()
    assert box.bounding_box()["y"] + box.bounding_box()["height"] <= SIZES[size]["height"]
    expect(page.get_by_role("group", name="Example questions").get_by_role("button")).to_have_count(5)
    expect(page.get_by_role("button", name="New topic")).to_be_visible()
    assert_targets_and_no_overlap(page)
    assert_accessible(page)
    screenshot(page, "first-visit", size)


def test_focus_is_visible_and_stays_on_the_input_after_choosing_an_example(page: Page, size: str) -> None:
    box = page.locator("#question textarea")
    box.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == "3px"
    example = page.get_by_role("button", name="How many foreign delegations visited Torino during 2024?")
    example.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(answer(page)).to_contain_text("48 foreign delegations", timeout=ANSWER_TIMEOUT_MS)
    assert page.evaluate("document.activeElement === document.querySelector('#question textarea')")
    screenshot(page, "example-answered", size)


def test_each_answer_keeps_its_own_sources(page: Page, size: str) -> None:
    """The acceptance case: [2] and "Show in report" of the first answer, after a second question."""
    ask(page, FRENCH)
    first = answer(page, 0)
    expect(first).to_contain_text("Cannes (France): agreement, 2000")
    ask(page, "Who won the Nitto ATP Finals?")
    expect(answer(page)).to_contain_text("Jannik Sinner")

    marker = first.get_by_role("link", name="Source 2: §3.1 Twinnings and agreements, pp. 26–33")
    marker.focus()
    expect(first.locator(".cite:focus-within .tip")).to_be_visible()
    expect(first.locator(".cite:focus-within .tip")).to_have_text("Chambéry (France): twinning, 1957")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(first.locator(".cite:focus-within .tip")).to_be_hidden()
    marker.click()
    source = first.locator("details.source").nth(1)
    expect(source.locator("blockquote mark")).to_have_text(FRENCH_ROW)
    screenshot(page, "sources-of-first-answer", size)

    source.get_by_role("button", name="Show source 2 in the report").click()
    text = page.locator("#report-text")
    expect(text.locator("h2")).to_have_text("§3.1 Twinnings and agreements")
    expect(text.locator("mark")).to_have_text(FRENCH_ROW)
    expect(page.locator("#entry-pick input")).to_have_value("Chambéry")
    expect(text.locator("h2")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "shown-in-report", size)


def test_a_reply_copies_as_plain_text_and_markdown_and_the_conversation_exports(page: Page, size: str) -> None:
    ask(page, FRENCH)
    first = answer(page)
    first.get_by_role("button", name="Copy this answer").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "|" not in copied and "Cannes (France): agreement, 2000" in copied
    lines = copied.splitlines()
    said = [line for line in lines if line.strip()]
    assert len(said) == len(set(said)) and not any(line.endswith(" ") for line in lines)
    assert lines[-1] == "Source: City of Torino, International Activities Annual Report 2024, §3.1 Twinnings and agreements, pp. 26–33"
    first.get_by_role("button", name="Copy as Markdown").click()
    markdown = page.evaluate("navigator.clipboard.readText()")
    assert "|" not in markdown and "1. City of Torino, *International Activities Annual Report 2024*" in markdown

    ask(page, "In which year did Torino become a member of ECCAR?")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export conversation").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"## {FRENCH}" in exported and "## In which year did Torino become a member of ECCAR?" in exported
    assert "ECCAR" in exported and "|" not in exported


def test_input_is_limited_counted_and_kept_when_refused(page: Page, size: str) -> None:
    box = page.locator("#question textarea")
    assert box.get_attribute("maxlength") == "1000"
    box.focus()
    page.keyboard.insert_text("Tell me everything. " * 60)
    expect(page.locator("#count")).to_have_text("1,000")
    # Text longer than the limit that arrives without typing (a script, an old browser) is refused, and kept.
    page.evaluate(
        "() => { const t = document.querySelector('#question textarea'); t.value = 'x'.repeat(1500);"
        " t.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator("#status")).to_contain_text("1,500 characters long")
    expect(box).to_have_value("x" * 1500)
    box.fill("   ")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Please type a question about the report")
    expect(box).to_have_value("   ")
    expect(page.locator("#log .question")).to_have_count(0)
    expect(page.get_by_role("group", name="Example questions")).to_be_visible()


def test_next_questions_are_answerable_and_new_topic_forgets_the_subject(page: Page, size: str) -> None:
    ask(page, "Who won the Nitto ATP Finals?")
    suggested = answer(page).locator(".next button")
    expect(suggested.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    assert 2 <= suggested.count() <= 3
    suggested.first.click()
    expect(page.locator("#log .answer")).to_have_count(2, timeout=ANSWER_TIMEOUT_MS)
    expect(answer(page)).not_to_contain_text("does not say")
    assert page.evaluate("document.activeElement === document.querySelector('#question textarea')")
    ask(page, "Who won the Nitto ATP Finals?")
    page.get_by_role("button", name="New topic").click()
    expect(page.locator("#log .topic-break")).to_be_visible()
    ask(page, "How many spectators were there?")
    expect(answer(page).locator(".understood")).to_have_count(0)
    assert_targets_and_no_overlap(page)
    assert_accessible(page)
    screenshot(page, "new-topic", size)


def test_follow_up_is_understood_in_the_light_of_the_earlier_question(page: Page, size: str) -> None:
    ask(page, "Who won the Nitto ATP Finals?")
    ask(page, "How many spectators were there?")
    follow_up = answer(page)
    expect(follow_up.locator(".understood")).to_contain_text("Nitto ATP Finals")
    expect(follow_up).to_contain_text("210,275")


def test_an_abstention_links_to_the_closest_sections(page: Page, size: str) -> None:
    ask(page, "What is the population of Mars?")
    refusal = answer(page)
    expect(refusal).to_contain_text("The report does not say")
    expect(refusal).not_to_contain_text("§colophon")
    links = refusal.locator(".sources a")
    expect(links.first).to_be_visible()
    label = links.first.inner_text()
    assert label.startswith("§") or label == "Colophon"
    links.first.click()
    expect(page.locator("#report-text h2")).to_have_text(label)
    screenshot(page, "abstention-opened", size)


def test_the_report_can_be_searched_and_a_match_opened(page: Page, size: str) -> None:
    page.get_by_role("tab", name="Browse the report").click()
    page.get_by_role("textbox", name="Search the report").fill("Lyon")
    page.keyboard.press("Enter")
    result = page.locator("#results").get_by_role("link", name="§3.1 Twinnings and agreements — Lyon", exact=True)
    expect(result).to_be_visible()
    assert_targets_and_no_overlap(page)
    assert_accessible(page)
    screenshot(page, "search", size)
    result.click()
    expect(page.locator("#report-text h3, #report-text p").filter(has_text="Lyon").first).to_be_visible()
    expect(page.locator("#entry-pick input")).to_have_value("Lyon")


def test_thumbs_down_asks_why_and_joins_the_comment_to_its_record(page: Page, size: str, settings) -> None:
    ask(page, "How much does the EU contribute to CLIMABOROUGH?")
    before = len(feedback_lines(settings.feedback_path))
    answer(page).get_by_role("button", name="Not helpful").click()
    why = page.get_by_role("textbox", name="What was wrong with the answer? (optional)")
    expect(why).to_be_focused()
    assert why.get_attribute("maxlength") == "1000"
    expect(answer(page).get_by_role("button", name="Not helpful")).to_have_attribute("aria-pressed", "true")
    assert_accessible(page)
    screenshot(page, "thumbs-down", size)
    why.fill("It should give the total budget too.")
    page.get_by_role("button", name="Send comment").click()
    expect(page.locator("#status")).to_contain_text("your comment was saved")
    thumb, comment = feedback_lines(settings.feedback_path)[before:]
    assert thumb["verdict"] == "down" and thumb["question"] == "How much does the EU contribute to CLIMABOROUGH?"
    assert thumb["citations"] and thumb["citations"][0]["section"] == "6"
    assert comment["feedback_id"] == thumb["id"] and comment["comment"] == "It should give the total budget too."


def test_markup_in_a_question_is_shown_as_text(page: Page, size: str) -> None:
    question = "<img src=x onerror=alert(1)>"
    ask(page, question)
    expect(page.locator("#log .question").last).to_contain_text(question)
    expect(page.locator("#log img[src='x']")).to_have_count(0)


def test_each_browser_session_has_its_own_conversation(browser: Browser, url: str, page: Page, size: str) -> None:
    ask(page, "Who won the Nitto ATP Finals?")
    other = browser.new_context(viewport=SIZES[size]).new_page()
    other.goto(url)
    other.wait_for_selector("#question textarea")
    ask(other, "How many spectators were there?")
    expect(other.locator("#log")).not_to_contain_text("Who won the Nitto ATP Finals?")
    expect(answer(other).locator(".understood")).to_have_count(0)
    other.context.close()


def test_a_browser_that_prefers_dark_gets_a_readable_page(browser: Browser, url: str, size: str) -> None:
    context = browser.new_context(viewport=SIZES[size], color_scheme="dark")
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#question textarea")
    ask(page, "In which year did Torino become a member of ECCAR?")
    assert_accessible(page)
    page.get_by_role("tab", name="Browse the report").click()
    expect(page.locator("#report-text h2")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "dark-browse", size)
    context.close()
