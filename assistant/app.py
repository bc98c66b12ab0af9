"""The Gradio page: ask the report, open each answer's cited passages, browse and search
the report, copy a reply, export the conversation, rate answers.

This module only presents what `Assistant` returns. The conversation is one HTML
block that the server renders from the session's records (`log_html`); its buttons
and links carry a `data-action` (or `data-ask`, `data-copy`) that the page script in
`HEAD` handles: copying happens in the browser, everything else is sent back through
one hidden field to `on_action`. Text from a user or the report is escaped before it
becomes HTML. Reply wording lives in `presenting.py`, the Browse tab's HTML in
`browsing.py`, feedback storage in `feedback.py`, next questions in `suggesting.py`.
Gradio is imported only by `create_app` and `launch`.
"""

from __future__ import annotations

import html
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .browsing import Target, contents_html, entry_at, entry_choices, find_section, search_html, section_choices, section_html
from .feedback import MAX_COMMENT_CHARS, FeedbackLog, SessionFeedback, new_id
from .presenting import (
    PUBLISHER,
    REPORT_TITLE,
    Exchange,
    conversation_markdown,
    marker_name,
    pages_label,
    readable_text,
    reply_markdown,
    reply_text,
    row_cells,
    row_sentence,
    section_label,
    shown_short,
)
from .reader import Conversation
from .records import Answer, Citation
from .inputs import MAX_QUESTION_CHARS, check_api_call, echoable  # the page explains the limit before asking
from .serving import RateLimiter, client_key

if TYPE_CHECKING:
    import gradio as gr

    from .config import Settings
    from .service import Assistant

# These machines have no internet: no telemetry, no version check, no font download.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

TITLE = "Torino report assistant"
EXAMPLES = [
    "How many foreign delegations visited Torino during 2024?",
    "Who won the Nitto ATP Finals?",
    "Which French cities are twinned with Torino?",
    "In which year did Torino become a member of ECCAR?",
    "How much does the EU contribute to CLIMABOROUGH?",
]
ABOUT = (
    "I know one document only: the City of Torino's <em>International Activities Annual "
    "Report 2024</em>. Answers are sentences quoted from it, with their section and page; "
    "no language model writes or rephrases them. When the report does not say, I tell you so."
)
# Drawn, not emoji: a machine without an emoji font would show empty boxes.
THUMB_UP = (
    '<svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24" fill="none" '
    'stroke="currentColor" stroke-width="2"><path d="M7 10v11H3V10h4zm0 0 4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3'
    'l-1.4 8A2 2 0 0 1 18.1 21H7"/></svg>'
)
THUMB_DOWN = THUMB_UP.replace("<svg ", '<svg style="transform: rotate(180deg)" ', 1)
# Calls of the /ask API answered at once. Answering is read-only over the index (Chroma,
# onnxruntime and BM25 are safe to share across threads) and onnxruntime and Chroma's
# query release the GIL, so a second call overlaps them with the first one's Python work;
# on two cores, more than two only adds switching (8 clients, p95: 1 -> 208-297 ms,
# 2 -> 193-196 ms, 4 -> 210-251 ms).
API_CONCURRENCY = 2
ASSETS = Path(__file__).parent / "page"
CSS = (ASSETS / "page.css").read_text(encoding="utf-8")
HEAD = f"<script>{(ASSETS / 'page.js').read_text(encoding='utf-8')}</script>"


# --- The conversation as HTML -------------------------------------------------------


def text_html(text: str) -> str:
    """Escape text for HTML and keep its line breaks, so nothing in it can run."""
    return html.escape(text).replace("\n", "<br>")


def attr(text: str) -> str:
    """Text for an attribute value; line breaks as character references keep the block one line."""
    return html.escape(text, quote=True).replace("\n", "&#10;")


def highlight(passage: str, quote: str) -> str:
    """The passage, escaped, with the quoted sentence in <mark>.

    The quote is matched word by word so that a line break in the passage where the
    quote has a space still matches; if it is not found, the quote is shown on its own.
    """
    if not passage:
        return f"<mark>{text_html(quote)}</mark>"
    words = quote.split()
    match = re.search(r"\s+".join(map(re.escape, words)), passage) if words else None
    if not match:
        return f"{text_html(passage)}<br><mark>{text_html(quote)}</mark>"
    before, found, after = passage[: match.start()], match.group(0), passage[match.end() :]
    return f"{text_html(before)}<mark>{text_html(found)}</mark>{text_html(after)}"


def link_markers(escaped_text: str, citations: list[Citation], key: str) -> str:
    """Each inline '[n]' of an escaped answer becomes a link to its source, named for screen
    readers ('Source 1: §3.2 Foreign delegations, p. 34'), with the quote as a preview."""
    by_n = {c.n: c for c in citations}

    def link(match: re.Match[str]) -> str:
        c = by_n.get(int(match.group(1)))
        if c is None:
            return match.group(0)
        tip = f"tip-{key}-{c.n}"
        return (
            f'<span class="cite"><a class="cite-ref" href="#src-{key}-{c.n}" aria-label="{attr(marker_name(c))}" '
            f'aria-describedby="{tip}">[{c.n}]</a><span class="tip" role="tooltip" id="{tip}">'
            f"{html.escape(quote_text(c))}</span></span>"
        )

    return re.sub(r"\[(\d+)\]", link, escaped_text)


def quote_text(citation: Citation) -> str:
    """The cited words as read aloud or previewed: a table row as a sentence."""
    cells = row_cells(citation)
    return row_sentence(cells) if cells else citation.quote


def source_html(citation: Citation, key: str) -> str:
    """One source under an answer: a summary that opens onto the highlighted passage and a
    button that shows it in the report."""
    summary = [f"[{citation.n}] {html.escape(section_label(citation.section, citation.section_title))}"]
    if citation.heading and citation.heading != citation.section_title:
        summary.append(f"<i>{html.escape(citation.heading)}</i>")
    if citation.pages:
        summary.append(html.escape(pages_label(citation.pages)))
    return (
        f'<details class="source" id="src-{key}-{citation.n}">'
        f"<summary>{' · '.join(summary)}</summary>"
        f'<blockquote class="passage">{highlight(citation.passage, citation.quote)}</blockquote>'
        f'<button type="button" class="act" data-action="jump|{key}|{citation.n}" '
        f'aria-label="Show source {citation.n} in the report">Show in report</button>'
        "</details>"
    )


def closest_links(answer: Answer) -> list[str]:
    """Links to the sections offered when abstaining, each once, labelled '§3.1 Twinnings and agreements'."""
    seen: dict[str, str] = {}
    for suggestion in answer.suggestions:
        section_id = suggestion.get("section", "")
        if section_id and section_id not in seen:
            seen[section_id] = section_label(section_id, suggestion.get("section_title", ""))
    return [
        f'<li><a href="#report-text" data-action="{Target(s).action()}">{html.escape(label)}</a></li>'
        for s, label in seen.items()
    ]


def answer_html(answer: Answer, key: str, verdict: str = "", suggestions: list[str] | None = None) -> str:
    """An answer's bubble: what it understood, the answer with [n] links, its own sources,
    copy and thumbs buttons, and questions to ask next. One HTML block with no blank line."""
    parts = [f'<article class="answer" id="answer-{key}" aria-label="Answer">']
    if answer.understood_as and answer.understood_as.strip() != answer.question.strip():
        parts.append(f'<p class="understood">Understood as: “{html.escape(answer.understood_as)}”</p>')
    if answer.notice:
        parts.append(f'<p class="notice">{text_html(answer.notice)}</p>')
    text = readable_text(answer)
    short = shown_short(answer.short_answer, text)
    if short:
        parts.append(f'<p class="short"><strong>{html.escape(short)}</strong></p>')
    parts.append(f'<p class="text">{link_markers(text_html(text), answer.citations, key)}</p>')
    if answer.claims_dropped:
        n = answer.claims_dropped
        parts.append(f'<p class="notice">{n} statement{"s" if n > 1 else ""} removed: not supported by the report</p>')
    if answer.citations:
        parts.append('<div class="sources"><h3 class="sources-title">Sources — open one to read the passage</h3>')
        parts += [source_html(c, key) for c in answer.citations]
        parts.append("</div>")
    elif answer.abstained and closest_links(answer):
        parts.append('<div class="sources"><h3 class="sources-title">Closest sections to browse</h3><ul>')
        parts += closest_links(answer) + ["</ul></div>"]
    parts.append('<div class="actions">')
    parts.append(f'<button type="button" class="act" data-copy="{attr(reply_text(answer))}">Copy this answer</button>')
    parts.append(f'<button type="button" class="act" data-copy="{attr(reply_markdown(answer))}">Copy as Markdown</button>')
    for value, label, icon in (("up", "Helpful", THUMB_UP), ("down", "Not helpful", THUMB_DOWN)):
        pressed = "true" if verdict == value else "false"
        parts.append(
            f'<button type="button" class="act thumb" data-action="{value}|{key}" aria-pressed="{pressed}">'
            f"{icon} {label}</button>"
        )
    parts.append("</div>")
    if suggestions:
        parts.append('<div class="next"><h3 class="sources-title">Ask next</h3>')
        parts += [f'<button type="button" class="chip" data-ask="{attr(q)}">{html.escape(q)}</button>' for q in suggestions]
        parts.append("</div>")
    parts.append("</article>")
    return "".join(parts)


def question_html(question: str) -> str:
    """The user's bubble: their words as text, never as HTML or Markdown."""
    return f'<div class="question"><span class="sr-only">You asked: </span>{text_html(question)}</div>'


def examples_html() -> str:
    chips = "".join(f'<button type="button" class="chip" data-ask="{attr(q)}">{html.escape(q)}</button>' for q in EXAMPLES)
    return f'<div class="examples" role="group" aria-label="Example questions"><span class="try">Try:</span>{chips}</div>'


def status_html(message: str = "") -> str:
    return f'<p class="status-text">{html.escape(message)}</p>' if message else ""


def check_question(question: str) -> str | None:
    """A friendly message if the question cannot be asked as it is, else None."""
    text = question.strip()
    if not text:
        return f"Please type a question about the report — for example: {EXAMPLES[0]}"
    if len(text) > MAX_QUESTION_CHARS:
        return (
            f"That question is {len(text):,} characters long. Please keep it under "
            f"{MAX_QUESTION_CHARS:,} characters and ask about one thing at a time."
        )
    return None


def api_input(question: str, turns: str) -> list[str]:
    """The one place the /ask API checks its input (`inputs.check_api_call`): the turns to
    answer, or a ValueError that says what to fix."""
    return check_api_call(question, turns)


# --- Session state ------------------------------------------------------------------


@dataclass
class Item:
    """One exchange on the page (answer None while it is being answered), or a topic break."""

    key: str
    question: str = ""
    answer: Answer | None = None
    topic_break: bool = False
    verdict: str = ""
    suggestions: list[str] = field(default_factory=list)
    draft: str = ""  # what a language model has written so far, before its claims are checked


@dataclass
class Session:
    """One browser session: what is on the page, the follow-up memory, and its feedback."""

    items: list[Item] = field(default_factory=list)
    turns: list[str] = field(default_factory=list)  # earlier questions since the last "New topic"
    conversation: Conversation = field(default_factory=Conversation)  # the same, as answered: each turn costs alike
    feedback: SessionFeedback = field(default_factory=SessionFeedback)
    export_path: str = ""  # the last Markdown export; Gradio keeps its own copy once served

    def find(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key and i.answer is not None), None)

    def exchanges(self) -> list[Exchange]:
        return [Exchange(i.question, i.answer) for i in self.items if i.topic_break or i.answer is not None]


def log_html(session: Session) -> str:
    """The whole conversation, oldest first."""
    parts = ['<h2 class="sr-only">Conversation</h2>']
    if not session.items:
        return parts[0] + '<p class="placeholder"><b>Ask a question about the report</b> below, or try an example.</p>'

    for item in session.items:
        if item.topic_break:
            parts.append('<p class="topic-break" role="separator">New topic — earlier questions are no longer used for follow-ups</p>')
            continue
        parts.append(question_html(item.question))
        if item.answer is None:
            if item.draft:
                parts.append(f'<p class="pending draft">{html.escape(item.draft)}</p>'
                             '<p class="pending">Checking each statement against the report…</p>')
            else:
                parts.append('<p class="pending">Looking in the report…</p>')
        else:
            parts.append(answer_html(item.answer, item.key, item.verdict, item.suggestions))
    return "".join(parts)


def export_file(session: Session) -> str:
    """Write the conversation as Markdown to a temporary file for the download button,
    removing the session's previous one (Gradio has copied it into its cache by then)."""
    text = conversation_markdown(session.exchanges(), datetime.now(timezone.utc))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".md", prefix="torino-report-conversation-", delete=False) as f:
        f.write(text)
    if session.export_path:
        Path(session.export_path).unlink(missing_ok=True)
    session.export_path = f.name
    return f.name


# --- The Gradio app -----------------------------------------------------------------


def create_app(assistant: "Assistant", settings: "Settings") -> "gr.Blocks":
    """Wire the page: an Ask tab (conversation, question, examples) and a Browse tab."""
    import gradio as gr

    from .suggesting import Suggester

    report = assistant.report
    log_file = FeedbackLog(settings.feedback_path)
    suggester = Suggester(assistant)

    limiter = RateLimiter(settings.rate_limit)  # reliability (serving.py): per-client limit on /ask

    def ask_api(question: str, turns: str = "", request: gr.Request = None) -> dict[str, Any]:
        """Answer QUESTION in the light of TURNS, a JSON list of earlier questions."""
        # reliability: every argument checked (inputs.py) and the client rate-limited before answering
        echoed = echoable(question)
        if not limiter.allow(client_key(request)):
            return {"question": echoed, "error": f"too many questions: please wait {limiter.wait_seconds()} s and try again"}
        try:
            return assistant.ask_turns(api_input(question, turns)).as_json()
        except ValueError as error:  # inputs.UserError: one line that says what to fix
            return {"question": echoed, "error": str(error)}
        except Exception as error:  # noqa: BLE001 - a caller gets one line, never Python's exception text
            return {"question": echoed, "error": f"the question could not be answered ({type(error).__name__})"}

    def take_question(question: str, session: Session):
        """Show the question at once; a question that cannot be asked stays in the box."""
        problem = check_question(question)
        if problem:
            return gr.skip(), gr.skip(), status_html(problem), session, ""
        session.items.append(Item(new_id(), question.strip()))
        return log_html(session), "", status_html(), session, question.strip()

    def answer(pending: str, session: Session):
        """Answer the held question in the light of the earlier ones since the last new topic;
        a language model's draft shows while it writes, then the checked answer replaces it."""
        item = session.items[-1] if session.items else None
        if not pending or item is None or item.answer is not None:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        result = None
        try:
            for kind, value in assistant.stream_turn(pending, session.conversation):
                if kind == "draft":
                    item.draft = str(value)
                    yield log_html(session), status_html("Writing the answer…"), session, gr.skip(), gr.skip()
                else:
                    result = value
        except ValueError as error:  # the service's UserError: the question goes back into the box
            session.items.pop()
            yield log_html(session), status_html(str(error).capitalize() + "."), session, gr.skip(), pending
            return
        session.turns.append(pending)
        item.answer, item.draft = result, ""
        done = "The report does not say; the closest sections are listed." if result.abstained else "Answer ready."
        export_update = gr.DownloadButton(value=export_file(session), interactive=True)
        yield log_html(session), status_html(done), session, export_update, gr.skip()

    def suggest(session: Session):
        item = session.items[-1] if session.items else None
        if item is None or item.answer is None or item.suggestions:
            return gr.skip(), gr.skip()
        asked = {i.question for i in session.items} | {i.answer.understood_as for i in session.items if i.answer}
        item.suggestions = suggester.suggest(item.answer, asked)
        return (log_html(session), session) if item.suggestions else (gr.skip(), gr.skip())

    def new_topic(session: Session):
        if session.turns:
            session.turns = []
            session.conversation = Conversation()
            session.items.append(Item(new_id(), topic_break=True))
        return log_html(session), status_html("New topic: the next question starts afresh."), session

    def browse(target: Target):
        section = find_section(report, target.section)
        return (
            gr.Tabs(selected="browse"),
            gr.Dropdown(value=target.section if section else ""),
            gr.Dropdown(choices=entry_choices(section), value=target.entry),
            section_html(report, target),
        )

    def on_action(action: str, session: Session):
        """A button or link in the page: 'jump|answer|n', 'open|section|entry|start|end', 'up|answer', 'down|answer'."""
        skip4, skip4b = (gr.skip(),) * 4, (gr.skip(),) * 4
        kind, _, rest = (action or "").partition("|")
        if kind == "open":
            try:
                return *browse(Target.from_action(action)), *skip4b
            except ValueError:
                return *skip4, *skip4b
        item = session.find(rest.split("|")[0])
        if item is None or item.answer is None:
            return *skip4, *skip4b
        if kind == "jump":
            citation = next((c for c in item.answer.citations if str(c.n) == rest.split("|")[-1]), None)
            section = find_section(report, citation.section) if citation else None
            if citation is None or section is None:
                return *skip4, *skip4b
            entry = entry_at(section, citation.start)
            return *browse(Target(citation.section, entry.id if entry else "", citation.start, citation.end)), *skip4b
        if kind in {"up", "down"}:
            record = session.feedback.thumb(log_file, item.key, item.answer.as_json(), kind)
            if record is None:
                return *skip4, gr.skip(), gr.skip(), gr.skip(), status_html("Thank you — that is enough feedback for now.")
            item.verdict = kind
            if kind == "down":
                why = gr.Column(visible=True)
                return *skip4, log_html(session), session, why, status_html("Saved. What was wrong? A comment is optional.")
            return *skip4, log_html(session), session, gr.Column(visible=False), status_html("Thank you — your feedback was saved.")
        return *skip4, *skip4b

    def send_comment(comment: str, session: Session):
        rated = [i for i in session.items if i.verdict == "down"]
        saved = rated and session.feedback.comment(log_file, rated[-1].key, comment)
        message = "Thank you — your comment was saved." if saved else "No comment saved."
        return gr.Column(visible=False), "", status_html(message), session

    def skip_comment():
        return gr.Column(visible=False), "", status_html("")

    def browse_section(section_id: str):
        section = find_section(report, section_id or "")
        return gr.Dropdown(choices=entry_choices(section), value=""), section_html(report, Target(section_id or ""))

    def browse_entry(section_id: str, entry_id: str):
        return section_html(report, Target(section_id or "", entry_id or ""))

    private: dict[str, Any] = {"api_visibility": "private"}
    quiet: dict[str, Any] = {**private, "show_progress": "hidden"}  # no spinner over the conversation
    # A session's chat events change its state, so they run one at a time; the stateless
    # /ask API has its own group (API_CONCURRENCY). Both wait in the one bounded queue.
    one_at_a_time: dict[str, Any] = {**private, "concurrency_id": "assistant", "show_progress": "hidden"}
    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.HTML(
            f'<header id="masthead"><h1>{html.escape(TITLE)}</h1>'
            f'<p class="subtitle">{PUBLISHER} · {html.escape(REPORT_TITLE)}</p>'
            f'<p class="about">{ABOUT}</p></header>',
            elem_id="header",
        )
        session = gr.State(Session())
        pending = gr.State("")
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("Ask", id="ask", elem_id="ask-tab"):
                log = gr.HTML(log_html(Session()), elem_id="log")
                with gr.Column(visible=False, elem_id="why-panel") as why_panel:
                    why = gr.Textbox(
                        label="What was wrong with the answer? (optional)", max_length=MAX_COMMENT_CHARS,
                        lines=2, elem_id="why",
                    )
                    with gr.Row():
                        why_send = gr.Button("Send comment", variant="primary", elem_id="why-send", min_width=120)
                        why_skip = gr.Button("No comment", elem_id="why-skip", min_width=120)
                question = gr.Textbox(
                    label="Your question",
                    elem_id="question",
                    placeholder="Ask about Torino's international activities in 2024…",
                    max_length=MAX_QUESTION_CHARS,
                    lines=1,
                    max_lines=6,
                )
                gr.HTML(
                    f'<p id="counter" aria-hidden="true"><span id="count">0</span> / {MAX_QUESTION_CHARS:,} characters</p>',
                    elem_id="counter-box",
                )
                with gr.Row(elem_id="ask-row"):
                    ask_button = gr.Button("Ask", variant="primary", elem_id="ask-button", min_width=80)
                    topic_button = gr.Button("New topic", elem_id="new-topic", min_width=110)
                    export = gr.DownloadButton(
                        "Export conversation", value=None, interactive=False, elem_id="export", min_width=170
                    )
                status = gr.HTML("", elem_id="status")
                gr.HTML(examples_html(), elem_id="examples-box")
                action = gr.Textbox(visible="hidden", elem_id="action", label="Page action", max_length=200)
                action_go = gr.Button("Run page action", visible="hidden", elem_id="action-go")
            with gr.Tab("Browse the report", id="browse", elem_id="browse-tab"):
                with gr.Row(elem_id="search-row"):
                    search = gr.Textbox(
                        label="Search the report", placeholder="A word or a name, e.g. Lyon", scale=4, min_width=240,
                        elem_id="search",
                    )
                    search_button = gr.Button("Search", scale=1, min_width=100, elem_id="search-button")
                results = gr.HTML("", elem_id="results")
                with gr.Row():
                    # min_width stacks the two pickers on a phone instead of squeezing them.
                    section_pick = gr.Dropdown(
                        section_choices(report), value="", label="Part of the report", min_width=260, elem_id="section-pick"
                    )
                    entry_pick = gr.Dropdown(entry_choices(None), value="", label="Entry", min_width=260, elem_id="entry-pick")
                report_text = gr.HTML(contents_html(report), elem_id="report-text")

        held = [log, question, status, session, pending]
        for trigger in (question.submit, ask_button.click):
            trigger(take_question, [question, session], held, **quiet).then(
                answer, [pending, session], [log, status, session, export, question], **one_at_a_time
            ).then(None, js="() => window.torino && window.torino.answered()", **private).then(
                suggest, [session], [log, session], **one_at_a_time
            )
        topic_button.click(new_topic, [session], [log, status, session], **quiet)
        shown = [tabs, section_pick, entry_pick, report_text]
        action_go.click(on_action, [action, session], shown + [log, session, why_panel, status], **quiet).then(
            None, js="() => window.torino && window.torino.acted()", **private
        )
        why_send.click(send_comment, [why, session], [why_panel, why, status, session], **private)
        why_skip.click(skip_comment, None, [why_panel, why, status], **private)
        for trigger in (search.submit, search_button.click):
            trigger(lambda q: search_html(report, q), [search], [results], **private)
        section_pick.input(browse_section, [section_pick], [entry_pick, report_text], **private)
        entry_pick.input(browse_entry, [section_pick, entry_pick], [report_text], **private)
        # gr.api reads the annotations as objects; this module's are strings (`from __future__`).
        ask_api.__annotations__.update(question=str, turns=str, request=gr.Request)
        gr.api(ask_api, api_name="ask", concurrency_id="api", concurrency_limit=API_CONCURRENCY)
    return app


def theme() -> Any:
    """A plain theme on the system's fonts (nothing fetched), with text colours at AA contrast."""
    import gradio as gr

    return gr.themes.Soft(
        primary_hue="blue",
        neutral_hue="slate",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    ).set(
        body_text_color_subdued="#475569",
        block_label_text_color="#1e3a8a",
        block_title_text_color="#1e3a8a",
        input_placeholder_color="#5b6678",
        link_text_color="#1d4ed8",
        link_text_color_dark="#93c5fd",
        button_primary_background_fill="#1d4ed8",
        button_primary_background_fill_hover="#1e40af",
        button_primary_text_color="#ffffff",
    )


def launch(
    app: "gr.Blocks", host: str, port: int, share: bool = False, block: bool = True, settings: "Settings | None" = None
) -> str:
    """Start the server (theme, CSS and script go to launch() in Gradio 6); return its URL."""
    # reliability (serving.py): bounded queue, login, proxy path, body limit, no uploads
    from .config import Settings
    from .serving import launch_options, queue_options

    settings = settings or Settings()
    app.queue(**queue_options(settings))
    _, url, _ = app.launch(
        **launch_options(settings),
        server_name=host,
        server_port=port,
        share=share,
        prevent_thread_lock=not block,
        theme=theme(),
        css=CSS,
        head=HEAD,
        footer_links=["api"],
        show_error=True,
        quiet=not block,
    )
    return url


def _echo(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def serve(
    settings: "Settings",
    host: str | None = None,
    port: int | None = None,
    share: bool = False,
    assistant: "Assistant | None" = None,
) -> None:
    """Build (or load) the index with visible progress, then serve the page until stopped.

    Pass `assistant` to serve one already built (the CLI does, to report its errors).
    """
    if assistant is None:
        from .service import build_assistant

        assistant = build_assistant(settings, progress=True, echo=_echo)
    launch(create_app(assistant, settings), host or settings.host, port or settings.port, share=share, settings=settings)
