"""The reader seam: passages -> a cited `Answer`, or an abstention.

A reader gets the question as understood, the retrieved passages (best first) and the
conversation so far, and returns an `Answer` whose citations point at report units.
Readers are chosen by the `reader` setting ("extractive", the default, or "llm") and
wired in `service.build_assistant`; nothing else imports a reader's internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

from .records import Answer
from .retrieval import Hit


@dataclass(frozen=True)
class Turn:
    """One answered turn: what was asked, how it was understood, and the answer given."""

    question: str
    understood: str
    answer: Answer


@dataclass
class Conversation:
    """The turns so far, oldest first. Readers and rewriters look only at the last few."""

    turns: list[Turn] = field(default_factory=list)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None


class Reader(Protocol):
    """Writes the answer from passages. `name` goes into the JSON as `reader`."""

    name: str

    def answer(self, question: str, passages: Sequence[Hit], conversation: Conversation) -> Answer: ...
