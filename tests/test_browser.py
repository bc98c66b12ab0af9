"""End to end: the real page, served in-process on loopback, driven by headless Chromium.

It asks questions as a person would, opens a citation's passage, follows up, jumps to
the report, gives a thumb up, and saves screenshots at desktop and phone widths under
tests/artifacts/. It uses Debian's /usr/bin/chromium (Playwright's own browsers cannot
be downloaded here). Without Chromium it skips locally, and fails in CI (CI is set).
"""

import json
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
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


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


@pytest.fixture
def page(browser: Browser, url: str) -> Iterator[Page]:
    """A fresh browser session on the page; it fails the test if anything opens a dialog."""
    context = browser.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()
    assert not dialogs, f"a dialog opened: {dialogs}"


def ask(page: Page, question: str) -> None:
    """Type a question, send it, and wait until one more message from the assistant is shown."""
    answers = page.locator("#chat .answer")
    before = answers.count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    expect(answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)


def last_answer(page: Page):
    return page.locator("#chat .answer").last


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_first_visit_says_what_it_knows_and_offers_examples(page: Page) -> None:
    expect(page.locator("#masthead h1")).to_have_text("Torino report assistant")
    expect(page.locator("#masthead")).to_contain_text("no language model writes or rephrases them")
    expect(page.get_by_role("button", name="Select example 1: How many foreign delegations")).to_be_visible()
    screenshot(page, "desktop-first-visit")


def test_answer_with_a_citation_that_opens_its_passage(page: Page) -> None:
    page.get_by_role("button", name="Select example 1: How many foreign delegations").click()
    answer = last_answer(page)
    expect(answer).to_contain_text("48 foreign delegations", timeout=ANSWER_TIMEOUT_MS)
    source = answer.locator("details.source").first
    expect(source.locator("summary")).to_contain_text("§3.2 Foreign delegations · p. 34")
    expect(source.locator("blockquote")).not_to_be_visible()

    answer.locator("a.cite-ref").first.click()
    expect(source.locator("blockquote")).to_be_visible()
    expect(source.locator("blockquote mark")).to_contain_text("receiving 48 foreign delegations coming from 26 countries")
    expect(source.locator("blockquote")).to_contain_text("Consulates and Embassies")

    reply = (
        "In 2024, the City of Torino carried out an intense welcoming activity, receiving 48 foreign "
        "delegations coming from 26 countries. [1]\n\n"
        "[1] Source: Annual Report 2024, §3.2 Foreign delegations, p. 34"
    )
    page.get_by_text("Copy the answer with its sources").click()
    expect(page.locator("#copy-box textarea")).to_have_value(reply)
    page.locator("#copy-box button[aria-label='Copy']").click()
    assert page.evaluate("navigator.clipboard.readText()") == reply


def test_follow_up_is_understood_in_the_light_of_the_earlier_question(page: Page) -> None:
    ask(page, "Who won the Nitto ATP Finals?")
    expect(last_answer(page)).to_contain_text("Jannik Sinner")
    ask(page, "How many spectators were there?")
    follow_up = last_answer(page)
    expect(follow_up.locator(".understood")).to_contain_text("Nitto ATP Finals")
    expect(follow_up).to_contain_text("210,275")


def test_each_browser_session_has_its_own_conversation(browser: Browser, url: str, page: Page) -> None:
    ask(page, "Who won the Nitto ATP Finals?")
    other = browser.new_context(viewport=DESKTOP).new_page()
    other.goto(url)
    other.wait_for_selector("#question textarea")
    ask(other, "How many spectators were there?")
    expect(other.locator("#chat")).not_to_contain_text("Who won the Nitto ATP Finals?")
    expect(last_answer(other).locator(".understood")).to_have_count(0)
    other.context.close()


def test_a_citation_takes_you_to_its_place_in_the_report(page: Page) -> None:
    ask(page, "In which year did Torino become a member of ECCAR?")
    expect(page.locator("#jump input")).to_have_value("[1] §4 International networks: ECCAR – European Coalition of Cities against Racism")
    page.locator("#jump-button").click()
    text = page.locator("#report-text")
    expect(text.locator("h2")).to_have_text("§4 International networks")
    expect(text.locator("mark")).to_have_text("The City of Torino joined ECCAR in 2020.")
    expect(page.locator("#section-pick input")).to_have_value("4  International networks · pp. 53–66")


def test_abstention_is_plain_and_offers_the_closest_sections(page: Page) -> None:
    ask(page, "What is the population of Mars?")
    answer = last_answer(page)
    expect(answer).to_contain_text("The report does not say")
    expect(answer).to_contain_text("Closest sections to browse")
    expect(answer.locator("details.source")).to_have_count(0)
    page.locator("#jump-button").click()
    expect(page.locator("#report-text h2")).to_be_visible()


def test_markup_in_a_question_is_shown_as_text(page: Page) -> None:
    question = "<img src=x onerror=alert(1)>"
    ask(page, question)
    expect(page.locator("#chat .question").last).to_have_text(question)
    expect(page.locator("#chat img[src='x']")).to_have_count(0)


def test_empty_and_very_long_input_get_a_friendly_message(page: Page) -> None:
    ask(page, "   ")
    expect(last_answer(page)).to_contain_text("Please type a question about the report")
    ask(page, "Tell me everything. " * 60)
    expect(last_answer(page)).to_contain_text("characters long")


def test_thumbs_up_is_written_to_the_feedback_file(page: Page, settings) -> None:
    ask(page, "How much does the EU contribute to CLIMABOROUGH?")
    before = _lines(settings.feedback_path)
    page.locator("#chat button[aria-label='Like']").last.click()
    expect(page.get_by_text("your feedback was saved")).to_be_visible()
    record = json.loads(_lines(settings.feedback_path)[len(before)])
    assert record["verdict"] == "up"
    assert record["question"] == "How much does the EU contribute to CLIMABOROUGH?"
    assert record["citations"] and record["citations"][0]["section"] == "6"


def test_screenshots_at_desktop_and_phone_widths(browser: Browser, url: str) -> None:
    for name, viewport in {"desktop": DESKTOP, "phone": PHONE}.items():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#question textarea")
        screenshot(page, f"{name}-start")
        ask(page, "Who won the Nitto ATP Finals?")
        ask(page, "How many spectators were there?")
        last_answer(page).locator("a.cite-ref").first.click()
        screenshot(page, f"{name}-answer")
        page.locator("#jump-button").click()
        expect(page.locator("#report-text mark").first).to_be_visible()
        screenshot(page, f"{name}-report")
        context.close()


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []
