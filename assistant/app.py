"""The Gradio page: ask the report, open the cited passages, browse it, copy a reply.

This module only presents what `Assistant` returns. It turns `Answer` records into
HTML for the chat, Markdown to paste into a reply, and a browsable table of contents;
it records thumbs up/down in a JSONL file and exposes the chat as the `ask` API
endpoint. It does not retrieve, rank or phrase answers itself (see `service.py`), and
it never puts text from a user or the report into the page unescaped.

The formatting functions are pure (records in, strings out) so they are tested
without Gradio; Gradio itself is imported only by `create_app` and `launch`.
"""

import html
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .inputs import MAX_QUESTION_CHARS, check_api_call, echoable  # the page explains the limit before asking
from .records import Answer, Citation, Entry, Section
from .serving import RateLimiter, client_key

if TYPE_CHECKING:
    import gradio as gr

    from .config import Settings
    from .corpus import Report
    from .service import Assistant

# These machines have no internet: no telemetry, no version check, no font download.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

TITLE = "Torino report assistant"
REPORT_TITLE = "International Activities Annual Report 2024"
REPORT_SHORT = "Annual Report 2024"
EXAMPLES = [
    "How many foreign delegations did Torino receive in 2024?",
    "Who won the Nitto ATP Finals?",
    "Which French cities are twinned with Torino?",
    "When did Torino join ECCAR?",
    "How much does the EU contribute to CLIMABOROUGH?",
]
ABOUT = (
    "I know one document only: the City of Torino's <em>International Activities Annual "
    "Report 2024</em>. Answers are sentences quoted from it, with their section and page; "
    "no language model writes or rephrases them. When the report does not say, I tell you so."
)
# Gradio 6 scopes this CSS to the app's content; `.gradio-container` is the page itself.
CSS = """
.gradio-container { max-width: 960px !important; margin: 0 auto !important; }
#masthead h1 { font-size: 1.6rem; margin: 0.2rem 0 0; }
#masthead .subtitle { margin: 0.1rem 0 0.4rem; color: var(--body-text-color-subdued); }
#masthead .about { margin: 0; font-size: 0.95rem; }
.answer p { margin: 0 0 0.5rem; }
.answer .understood { font-size: 0.9rem; font-style: italic; }
#chat .placeholder { padding: 0 1rem; }
.answer .notice { font-style: italic; }
.answer a.cite-ref { text-decoration: none; font-weight: 600; color: var(--color-accent); }
.sources { margin-top: 0.6rem; border-top: 1px solid var(--border-color-primary); padding-top: 0.4rem; }
.sources .sources-title { font-size: 0.85rem; font-weight: 600; margin: 0 0 0.2rem; }
details.source { margin: 0.15rem 0; font-size: 0.9rem; }
details.source summary { cursor: pointer; line-height: 1.4; }
details.source blockquote { margin: 0.3rem 0 0.5rem; padding: 0.3rem 0.6rem;
  border-left: 3px solid var(--color-accent); font-size: 0.9rem; }
mark { background: rgba(255, 214, 0, 0.38); color: inherit; padding: 0 0.1em; }
#jump-row { align-items: flex-end; }
#report-text { font-size: 0.95rem; line-height: 1.55; }
#report-text h2 { font-size: 1.25rem; margin: 0.2rem 0; }
#report-text h3 { font-size: 1.05rem; margin: 1rem 0 0.3rem; }
#report-text h4 { font-size: 0.95rem; margin: 0.8rem 0 0.2rem; }
#report-text .meta { color: var(--body-text-color-subdued); margin: 0 0 0.6rem; }
@media (max-width: 640px) {
  #header .html-container, #report-text .html-container { padding-left: 6px; padding-right: 6px; }
  #masthead h1 { font-size: 1.3rem; }
  #masthead .about { font-size: 0.88rem; }
}
"""
# A click on an inline [n] opens that source in place instead of following the link.
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cite-ref");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (target) { target.open = true; target.scrollIntoView({block: "nearest"}); }
}, true);
</script>
"""
SCROLL_TO_MARK = (
    "() => { setTimeout(() => { const m = document.querySelector('#report-text mark');"
    " if (m) m.scrollIntoView({block: 'center'}); }, 300); }"
)


# --- Plain formatting -------------------------------------------------------------


def text_html(text: str) -> str:
    """Escape text for HTML and keep its line breaks, so nothing in it can run."""
    return html.escape(text).replace("\n", "<br>")


def pages_label(pages: str) -> str:
    """'34' -> 'p. 34', '26–33' -> 'pp. 26–33', '116 ff.' -> 'pp. 116 ff.'."""
    pages = pages.strip()
    if not pages or not pages[0].isdigit():
        return pages
    if pages.isdigit():
        return f"p. {pages}"
    return f"pp. {pages}"


def section_label(section_id: str, title: str) -> str:
    """'3.2', 'Foreign delegations' -> '§3.2 Foreign delegations'; the colophon has no number."""
    if section_id[:1].isdigit():
        return f"§{section_id} {title}"
    return title


def source_line(citation: Citation) -> str:
    """One line for a reply: 'Source: Annual Report 2024, §3.2 Foreign delegations, p. 34'."""
    parts = [REPORT_SHORT, section_label(citation.section, citation.section_title)]
    if citation.heading and citation.heading != citation.section_title:
        parts[-1] += f": {citation.heading}"
    if citation.pages:
        parts.append(pages_label(citation.pages))
    return "Source: " + ", ".join(parts)


def answer_markdown(answer: Answer) -> str:
    """The answer and its sources as Markdown a staff member can paste into a reply.

    An abstention is pasted as it is: the answer already names the closest sections.
    """
    lines = [answer.answer.strip()]
    if answer.citations:
        lines.append("")
        lines += [f"[{c.n}] {source_line(c)}  " for c in answer.citations]
        lines[-1] = lines[-1].rstrip()
    return "\n".join(lines)


def closest_sections(answer: Answer) -> list[tuple[str, str]]:
    """(section id, '§3.2 Foreign delegations') for each section offered when abstaining, once."""
    seen: dict[str, str] = {}
    for suggestion in answer.suggestions:
        section_id = suggestion.get("section", "")
        if section_id and section_id not in seen:
            seen[section_id] = section_label(section_id, suggestion.get("section_title", ""))
    return list(seen.items())


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


def link_markers(escaped_text: str, numbers: set[int], turn: int) -> str:
    """Turn each inline '[n]' of an already escaped answer into a link to its source."""

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group(0)
        return f'<a class="cite-ref" href="#src-{turn}-{n}">[{n}]</a>'

    return re.sub(r"\[(\d+)\]", link, escaped_text)


def source_html(citation: Citation, turn: int) -> str:
    """One source under an answer: a summary line that opens onto the highlighted passage."""
    summary = [f"<b>[{citation.n}]</b> {html.escape(section_label(citation.section, citation.section_title))}"]
    if citation.heading and citation.heading != citation.section_title:
        summary.append(f"<i>{html.escape(citation.heading)}</i>")
    if citation.pages:
        summary.append(html.escape(pages_label(citation.pages)))
    return (
        f'<details class="source" id="src-{turn}-{citation.n}">'
        f"<summary>{' · '.join(summary)}</summary>"
        f'<blockquote class="passage">{highlight(citation.passage, citation.quote)}</blockquote>'
        "</details>"
    )


def answer_html(answer: Answer, turn: int) -> str:
    """The chat bubble for an answer: understood-as line, answer with links, sources.

    It is one HTML block with no blank line, so the chat's Markdown renderer leaves
    its inside alone and report text is never read as Markdown.
    """
    parts = ['<div class="answer">']
    if answer.understood_as and answer.understood_as.strip() != answer.question.strip():
        parts.append(f'<p class="understood">Understood as: “{html.escape(answer.understood_as)}”</p>')
    numbers = {c.n for c in answer.citations}
    parts.append(f"<p>{link_markers(text_html(answer.answer.strip()), numbers, turn)}</p>")
    if answer.citations:
        parts.append('<div class="sources"><p class="sources-title">Sources — click to open the passage</p>')
        parts += [source_html(c, turn) for c in answer.citations]
        parts.append("</div>")
    elif answer.abstained and closest_sections(answer):
        parts.append('<div class="sources"><p class="sources-title">Closest sections to browse</p><ul>')
        parts += [f"<li>{html.escape(label)}</li>" for _, label in closest_sections(answer)]
        parts.append("</ul><p>Open them with “Show in report” below the chat.</p></div>")
    parts.append("</div>")
    return "".join(parts)


def question_html(question: str) -> str:
    """The user's bubble: their words as text, never as HTML or Markdown."""
    return f'<div class="question">{text_html(question)}</div>'


def notice_html(message: str) -> str:
    return f'<div class="answer"><p class="notice">{text_html(message)}</p></div>'


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


# --- Feedback ---------------------------------------------------------------------


def verdict(liked: Any) -> str:
    """Gradio reports a thumb as True/False (or an option's name); store 'up'/'down'."""
    if liked is True:
        return "up"
    if liked is False:
        return "down"
    return str(liked).lower() or "none"


def feedback_record(answer: dict[str, Any], liked: Any, when: datetime) -> dict[str, Any]:
    """One JSONL line: when, what was asked and answered, with which sources, and the thumb."""
    keep = ("n", "section", "section_title", "heading", "pages", "quote")
    return {
        "time": when.isoformat(timespec="seconds"),
        "verdict": verdict(liked),
        "question": answer.get("question", ""),
        "understood_as": answer.get("understood_as", ""),
        "answer": answer.get("answer", ""),
        "abstained": answer.get("abstained", False),
        "citations": [{k: c.get(k) for k in keep} for c in answer.get("citations", [])],
    }


def append_feedback(path: Path, record: dict[str, Any]) -> None:
    """Append one record to the JSONL file, creating its folder on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


# --- Browsing the report ----------------------------------------------------------


def is_chapter(section: Section) -> bool:
    return section.id == section.chapter_id


def section_choices(report: "Report") -> list[tuple[str, str]]:
    """Dropdown choices for the table of contents: chapters, then their sections, indented."""
    choices = [("Contents", "")]
    for section in report.sections:
        indent = "" if is_chapter(section) else "\u2003"
        number = f"{section.id}  " if section.id[:1].isdigit() else ""
        choices.append((f"{indent}{number}{section.title} · {pages_label(section.pages)}", section.id))
    return choices


def entry_choices(section: Section | None) -> list[tuple[str, str]]:
    """Dropdown choices for one section's entries; '' is the whole section."""
    if section is None or not section.entries:
        return [("Whole section", "")]
    return [("Whole section", "")] + [(entry.heading, entry.id) for entry in section.entries]


def entry_at(section: Section, offset: int) -> str:
    """The id of the entry holding a character offset, or '' if none does."""
    for entry in section.entries:
        if entry.start <= offset < max(entry.end, entry.start + 1):
            return entry.id
    return ""


def contents_html(report: "Report") -> str:
    """The table of contents: chapters with their sections, pages and entry counts."""
    parts = ['<h2>Contents</h2><p class="meta">Choose a part above to read it.</p><ul>']
    open_list = False
    for section in report.sections:
        label = html.escape(f"{section_label(section.id, section.title)} · {pages_label(section.pages)}")
        if is_chapter(section):
            if open_list:
                parts.append("</ul></li>")
            parts.append(f"<li><b>{label}</b><ul>")
            open_list = True
        else:
            parts.append(f"<li>{label} · {len(section.entries)} entries</li>")
    if open_list:
        parts.append("</ul></li>")
    parts.append("</ul>")
    return "".join(parts)


def entry_html(report: "Report", entry: Entry, mark: tuple[int, int] | None) -> str:
    """An entry's units as paragraphs (split where the report has a blank line), marked if cited."""
    paragraphs: list[list[str]] = [[]]
    previous_end: int | None = None
    for unit in entry.units:
        if previous_end is not None and "\n\n" in report.text[previous_end : unit.start]:
            paragraphs.append([])
        text = html.escape(unit.text)
        if mark and unit.start < mark[1] and mark[0] < unit.end:
            text = f"<mark>{text}</mark>"
        paragraphs[-1].append(text)
        previous_end = unit.end
    return "".join(f"<p>{' '.join(p)}</p>" for p in paragraphs if p)


def section_html(
    report: "Report", section_id: str, entry_id: str = "", mark: tuple[int, int] | None = None
) -> str:
    """The text of a section (or one of its entries), with the cited span marked."""
    if not section_id:
        return contents_html(report)
    section = report.section(section_id)
    meta = [f"{REPORT_SHORT}", pages_label(section.pages)]
    if not is_chapter(section):
        meta.insert(1, section_label(section.chapter_id, section.chapter_title))
    parts = [f"<h2>{html.escape(section_label(section.id, section.title))}</h2>"]
    parts.append(f'<p class="meta">{html.escape(" · ".join(meta))}</p>')
    entries = [e for e in section.entries if not entry_id or e.id == entry_id]
    if not section.entries:
        subsections = [s for s in report.sections if s.chapter_id == section.id and s is not section]
        parts.append("<ul>")
        parts += [f"<li>{html.escape(f'{section_label(s.id, s.title)} · {pages_label(s.pages)}')}</li>" for s in subsections]
        parts.append("</ul>")
    group = None
    for entry in entries:
        if entry.kind == "row":
            if entry.group != group:
                parts.append(f"<h4>{html.escape(entry.group or section.title)}</h4>")
                group = entry.group
            parts.append(entry_html(report, entry, mark))
            continue
        group = None
        if entry.heading and entry.heading != section.title:
            parts.append(f"<h3>{html.escape(entry.heading)}</h3>")
        if entry.pages and entry.pages != section.pages:
            parts.append(f'<p class="meta">{html.escape(pages_label(entry.pages))}</p>')
        parts.append(entry_html(report, entry, mark))
    return "".join(parts)


@dataclass(frozen=True)
class Target:
    """A place in the report a chat answer points to: a citation or a suggested section."""

    label: str
    section: str
    entry: str = ""
    start: int = -1
    end: int = -1

    def key(self) -> str:
        return f"{self.section}|{self.entry}|{self.start}|{self.end}"

    @classmethod
    def from_key(cls, key: str) -> "Target":
        section, entry, start, end = key.split("|")
        return cls("", section, entry, int(start), int(end))


def answer_targets(report: "Report", answer: Answer) -> list[Target]:
    """Where 'Show in report' can go for an answer: its citations, else the closest sections."""
    targets = []
    for c in answer.citations:
        section = _find_section(report, c.section)
        entry = entry_at(section, c.start) if section else ""
        label = f"[{c.n}] {section_label(c.section, c.section_title)}"
        if c.heading and c.heading != c.section_title:
            label += f": {c.heading}"
        targets.append(Target(label, c.section, entry, c.start, c.end))
    if not answer.citations:
        targets += [Target(label, section_id) for section_id, label in closest_sections(answer)]
    return targets


def _find_section(report: "Report", section_id: str) -> Section | None:
    return next((s for s in report.sections if s.id == section_id), None)


# --- Conversation state -----------------------------------------------------------


@dataclass
class Conversation:
    """One browser session's chat: the questions asked so far and what was answered.

    `answers` maps the index of an answer's chat message to its JSON, so a thumb on
    that message can be written down with what it judged.
    """

    turns: list[str] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)

    def add_question(self, question: str) -> None:
        self.messages.append({"role": "user", "content": question_html(question)})

    def add_notice(self, message: str) -> None:
        self.messages.append({"role": "assistant", "content": notice_html(message)})

    def add_answer(self, question: str, answer: Answer) -> None:
        self.turns.append(question)
        self.answers[len(self.messages)] = answer.as_json()
        self.messages.append({"role": "assistant", "content": answer_html(answer, len(self.messages))})


def parse_turns(turns: str) -> list[str]:
    """Earlier questions for the API, as a JSON list of strings ('' for none)."""
    if not turns.strip():
        return []
    value = json.loads(turns)
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValueError("turns must be a JSON list of strings")
    return value


# --- The Gradio app ---------------------------------------------------------------


def create_app(assistant: "Assistant", settings: "Settings") -> "gr.Blocks":
    """Wire the page: an Ask tab (chat, sources, copy, feedback) and a Browse tab."""
    import gradio as gr

    report = assistant.report

    limiter = RateLimiter(settings.rate_limit)  # reliability (serving.py): per-client limit on /ask

    def ask_api(question: str, turns: str = "", request: gr.Request = None) -> dict[str, Any]:
        """Answer QUESTION in the light of TURNS, a JSON list of earlier questions."""
        # reliability: every argument checked (inputs.py) and the client rate-limited before answering
        echoed = echoable(question)
        if not limiter.allow(client_key(request)):
            return {"question": echoed, "error": f"too many questions: please wait {limiter.wait_seconds()} s and try again"}
        try:
            asked = check_api_call(question, turns)
            return assistant.ask_turns(asked).as_json()
        except ValueError as error:  # inputs.UserError: one line that says what to fix
            return {"question": echoed, "error": str(error)}
        except Exception as error:  # noqa: BLE001 - a caller gets one line, never Python's exception text
            return {"question": echoed, "error": f"the question could not be answered ({type(error).__name__})"}

    def take_question(question: str, conversation: Conversation):
        """Show the question at once (or a notice), clear the box, hold it for answering."""
        problem = check_question(question)
        if problem:
            conversation.add_notice(problem)
            return conversation.messages, "", conversation, ""
        conversation.add_question(question.strip())
        return conversation.messages, "", conversation, question.strip()

    def answer(pending: str, conversation: Conversation):
        """Answer the held question in the light of the session's earlier ones."""
        if not pending:
            return conversation.messages, conversation, gr.skip(), gr.skip(), gr.skip()
        try:
            result = assistant.ask_turns(conversation.turns + [pending])
        except ValueError as error:  # the service's UserError: a question it will not take
            conversation.add_notice(str(error).capitalize() + ".")
            return conversation.messages, conversation, gr.skip(), gr.skip(), gr.skip()
        conversation.add_answer(pending, result)
        targets = answer_targets(report, result)
        choices = [(t.label, t.key()) for t in targets]
        jump = gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)
        shown = gr.Column(visible=True)
        return conversation.messages, conversation, answer_markdown(result), jump, shown

    def pick_example(event: gr.SelectData) -> str:
        return event.value["text"] if isinstance(event.value, dict) else str(event.value)

    def on_like(conversation: Conversation, event: gr.LikeData) -> None:
        index = event.index if isinstance(event.index, int) else event.index[0]
        judged = conversation.answers.get(index)
        if judged is None:
            return
        record = feedback_record(judged, event.liked, datetime.now(timezone.utc))
        append_feedback(settings.feedback_path, record)
        gr.Info("Thank you — your feedback was saved.")

    def new_conversation():
        return [], Conversation(), "", gr.Dropdown(choices=[], value=None), gr.Column(visible=False)

    def browse_section(section_id: str):
        section = _find_section(report, section_id or "")
        return gr.Dropdown(choices=entry_choices(section), value=""), section_html(report, section_id or "")

    def browse_entry(section_id: str, entry_id: str):
        return section_html(report, section_id or "", entry_id or "")

    def show_in_report(key: str | None):
        if not key:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        target = Target.from_key(key)
        mark = (target.start, target.end) if target.start >= 0 else None
        section = _find_section(report, target.section)
        return (
            gr.Tabs(selected="browse"),
            gr.Dropdown(value=target.section),
            gr.Dropdown(choices=entry_choices(section), value=target.entry),
            section_html(report, target.section, target.entry, mark),
        )

    private: dict[str, Any] = {"api_visibility": "private"}
    # Chat and API share one queue: the index and the model answer one question at a time.
    one_at_a_time: dict[str, Any] = {**private, "concurrency_id": "assistant"}
    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.HTML(
            f'<div id="masthead"><h1>{html.escape(TITLE)}</h1>'
            f'<p class="subtitle">City of Torino · {html.escape(REPORT_TITLE)}</p>'
            f'<p class="about">{ABOUT}</p></div>',
            elem_id="header",
            js_on_load=None,
        )
        conversation = gr.State(Conversation())
        pending = gr.State("")
        with gr.Tabs() as tabs:
            with gr.Tab("Ask", id="ask"):
                chat = gr.Chatbot(
                    elem_id="chat",
                    show_label=False,
                    height=560,
                    latex_delimiters=[],
                    placeholder="**Ask a question about the report**, or start with an example:",
                    examples=[{"text": q} for q in EXAMPLES],
                    feedback_options=("Like", "Dislike"),
                    buttons=[],
                    layout="panel",
                )
                with gr.Row(equal_height=True):
                    question = gr.Textbox(
                        elem_id="question",
                        show_label=False,
                        placeholder="Ask about Torino's international activities in 2024…",
                        scale=5,
                        submit_btn="Ask",
                    )
                # What to do with an answer appears once there is one.
                with gr.Column(visible=False, elem_id="after-answer") as after_answer:
                    with gr.Row(equal_height=False, elem_id="jump-row"):
                        jump = gr.Dropdown(
                            label="Sources of the last answer",
                            choices=[],
                            value=None,
                            scale=4,
                            min_width=220,
                            elem_id="jump",
                        )
                        jump_button = gr.Button("Show in report", scale=1, min_width=140, elem_id="jump-button")
                    with gr.Accordion("Copy the answer with its sources", open=False, elem_id="copy-panel"):
                        copy_box = gr.Textbox(
                            elem_id="copy-box",
                            label="Markdown, ready to paste into a reply",
                            lines=5,
                            max_lines=14,
                            interactive=False,
                            buttons=["copy"],
                        )
            with gr.Tab("Browse the report", id="browse"):
                with gr.Row():
                    # min_width stacks the two pickers on a phone instead of squeezing them.
                    section_pick = gr.Dropdown(
                        section_choices(report), value="", label="Part of the report", min_width=260,
                        elem_id="section-pick",
                    )
                    entry_pick = gr.Dropdown(
                        entry_choices(None), value="", label="Entry", min_width=260, elem_id="entry-pick"
                    )
                report_text = gr.HTML(contents_html(report), elem_id="report-text", js_on_load=None)

        held = [chat, question, conversation, pending]
        answered = [chat, conversation, copy_box, jump, after_answer]
        question.submit(take_question, [question, conversation], held, **private).then(
            answer, [pending, conversation], answered, **one_at_a_time
        )
        chat.example_select(pick_example, None, question, **private).then(
            take_question, [question, conversation], held, **private
        ).then(answer, [pending, conversation], answered, **one_at_a_time)
        chat.like(on_like, [conversation], None, **private)
        chat.clear(new_conversation, None, answered, **private)
        section_pick.input(browse_section, [section_pick], [entry_pick, report_text], **private)
        entry_pick.input(browse_entry, [section_pick, entry_pick], [report_text], **private)
        jump_button.click(show_in_report, [jump], [tabs, section_pick, entry_pick, report_text], **private).then(
            None, js=SCROLL_TO_MARK, **private
        )
        gr.api(ask_api, api_name="ask", concurrency_id="assistant")
    return app


def theme() -> Any:
    """A plain theme on the system's fonts: nothing is fetched from the internet."""
    import gradio as gr

    return gr.themes.Soft(
        primary_hue="blue",
        neutral_hue="slate",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
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
