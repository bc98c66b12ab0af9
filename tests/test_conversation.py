"""The rule rewriter on hand-worked conversations (no index needed)."""

from __future__ import annotations

import pytest

from assistant.answering import merge_answers, split_parts
from assistant.conversation import RuleRewriter, main_name
from assistant.records import Answer, Citation


def turn(question: str, answer: str = "", heading: str = "") -> tuple[str, Answer]:
    cites = [Citation(1, "8", "Sport", heading, "116 ff.", answer, 0, len(answer))] if heading else []
    return question, Answer(question, answer, False, cites)


@pytest.mark.parametrize(
    "history, question, understood",
    [
        ([], "Who won the Nitto ATP Finals?", "Who won the Nitto ATP Finals?"),
        ([turn("When were the Nitto ATP Finals held?")], "And who won it?", "Who won Nitto ATP Finals?"),
        ([turn("When did Torino twin with Cologne?")], "What about Lille?", "When did Torino twin with Lille?"),
        ([turn("Who won the Nitto ATP Finals?")], "What about the Book Fair?", "Who won the Book Fair?"),
        ([turn("How much did Bloomberg give Torino for the first round?")], "And for the second round?",
         "How much did Bloomberg give Torino for the second round?"),
        ([turn("Who won the Nitto ATP Finals?")], "How many spectators were there?",
         "How many spectators were at Nitto ATP Finals?"),
        ([turn("Who won the Nitto ATP Finals?", "Jannik Sinner, the world no. 1, beat Taylor Fritz.")],
         "Who did he beat?", "Who did Jannik Sinner beat (Nitto ATP Finals)?"),
        ([turn("Which network did Torino join in 2023?", "The City of Torino joined the network in 2023.",
               "World Union of Olympic Cities")], "Where did it meet?", "Where did World Union of Olympic Cities meet?"),
        ([turn("When did Torino join ECCAR?")], "How many foreign delegations came to Torino?",
         "How many foreign delegations came to Torino?"),
    ],
)
def test_follow_ups_carry_the_subject(history, question: str, understood: str) -> None:
    assert RuleRewriter().rewrite(question, history) == understood


def test_main_name_is_the_longest_name() -> None:
    assert main_name("Who won the Nitto ATP Finals in Torino?") == "Nitto ATP Finals"
    assert main_name("when did we sign?") == ""


def test_two_part_questions_split_and_merge() -> None:
    assert split_parts("How many members does WTCF have, and when did Torino join?") == [
        "How many members does WTCF have?",
        "when did Torino join?",
    ]
    assert split_parts("Who won the Nitto ATP Finals?") == ["Who won the Nitto ATP Finals?"]
    a = Answer("p1", "182 members. [1]", False, [Citation(1, "4", "International networks", "WTCF", "53–66", "182 members.", 10, 22)])
    b = Answer("p2", "Joined in 2015. [1] 182 members. [2]", False, [
        Citation(1, "4", "International networks", "WTCF", "53–66", "Joined in 2015.", 30, 45),
        Citation(2, "4", "International networks", "WTCF", "53–66", "182 members.", 10, 22),
    ])
    merged = merge_answers("both", [a, b])
    assert merged.answer == "182 members. [1] Joined in 2015. [2] 182 members. [1]"
    assert [c.n for c in merged.citations] == [1, 2]
    silent = Answer("p3", "The report does not say.", True, [])
    assert merge_answers("both", [a, silent]).answer.endswith("The report does not say “p3”.")
    assert merge_answers("both", [silent, silent]).abstained
