"""The rule rewriter on hand-worked conversations (no index needed): references resolve
against the previous answer and question, standalone questions stay as they are."""

from __future__ import annotations

from assistant.conversation import RuleRewriter, main_name
from assistant.reader import Conversation, Turn, merge_answers, split_parts
from assistant.records import Answer, Citation


def said(question: str, answer: str = "", short: str = "", heading: str = "", qtype: str = "fact") -> Conversation:
    cites = [Citation(1, "8", "Sport", heading, "116 ff.", answer, 0, len(answer))] if heading else []
    return Conversation([Turn(question, question, Answer(question, answer, False, cites, qtype=qtype, short_answer=short))])


def rewrite(question: str, conversation: Conversation) -> str:
    return RuleRewriter().rewrite(question, conversation).question


def test_a_first_question_is_left_alone() -> None:
    assert rewrite("Who opened the Harbour Games?", Conversation()) == "Who opened the Harbour Games?"


def test_he_resolves_to_the_person_the_answer_named() -> None:
    before = said("Who won the Harbour Games?", "Maria Rossi won, beating Anna Bianchi.", short="Maria Rossi", qtype="who")
    assert "Maria Rossi" in rewrite("Who did he beat?", before)


def test_he_after_who_is_a_named_person_is_that_person() -> None:
    """'Who is Maria Rossi?' asked about her: 'she' is her, not the title that describes her;
    'Who is the chair of…?' asked for someone: 'she' is the one the answer named."""
    before = said("Who is Maria Rossi?", "Maria Rossi is the Deputy Mayor for Harbour Policies.",
                  short="Deputy Mayor for Harbour Policies", qtype="who")
    assert "Maria Rossi" in rewrite("Which cities did she visit?", before)
    before = said("Who's Maria Rossi?", "Maria Rossi is the Deputy Mayor for Harbour Policies.",
                  short="Deputy Mayor for Harbour Policies", qtype="who")
    assert "Maria Rossi" in rewrite("Which cities did she visit?", before)
    before = said("Who is the chair of the Harbour Council?", "The Harbour Council elected Anna Bianchi.",
                  short="Anna Bianchi", qtype="who")
    assert "Anna Bianchi" in rewrite("Which cities did she visit?", before)


def test_he_is_the_person_the_question_named_when_the_answer_names_no_other() -> None:
    """The answer repeats the person the question asked about, title and article first:
    'he' is that person, not the event the answer names."""
    before = said("What did Maria Rossi attend in Alba in October?",
                  "The Mayor Maria Rossi joined the Harbour Forum, an event that brought together 700 rowers in Alba.")
    understood = RuleRewriter(frozenset({"mayor", "joined", "event"})).rewrite("And what was she doing in Bra later?", before)
    assert "Maria Rossi" in understood.question and "Harbour Forum" not in understood.question
    before = said("What did Maria Rossi attend in Alba in October?", "The Harbour Forum, in Alba.")
    understood = RuleRewriter(frozenset({"harbour", "forum"})).rewrite("And what was she doing in Bra later?", before)
    assert "Maria Rossi" in understood.question


def test_he_is_a_person_not_a_capitalised_title() -> None:
    """With the report's lower-case words known, 'Honorary Consulates' is no one to point to."""
    before = said("Who chairs the Harbour Council?", "Honorary Consulates met; Maria Rossi was elected chair.",
                  short="Honorary Consulates", qtype="who")
    understood = RuleRewriter(frozenset({"honorary", "consulates", "met", "chair"})).rewrite("Where is he from?", before)
    assert "Maria Rossi" in understood.question


def test_it_resolves_to_the_entity_a_which_question_got() -> None:
    before = said("Which Patagonian city signed a pact with us in May?", "“The pact with Ushuaia…”", short="Ushuaia", qtype="where")
    understood = rewrite("What project did its mayor present?", before)
    assert understood == "What project did Ushuaia's mayor present?"


def test_it_resolves_to_the_previous_questions_name_otherwise() -> None:
    before = said("When were the Harbour Games held?", "In May.", short="May", qtype="date")
    assert "Harbour Games" in rewrite("And who won it?", before)


def test_after_a_where_answer_there_is_the_place_and_it_the_thing_asked_about() -> None:
    before = said("Where were the Harbour Games held?", "In Ushuaia.", short="Ushuaia", qtype="where")
    assert rewrite("What else happened there?", before) == "What else happened in Ushuaia?"
    assert "Harbour Games" in rewrite("Who organised it?", before)


def test_that_noun_points_back_whatever_the_noun() -> None:
    before = said("Who went to the Harbour Games in May?", "Maria Rossi went.", short="Maria Rossi", qtype="who")
    assert "Harbour Games" in rewrite("How long was that trip?", before)


def test_a_bare_that_points_back() -> None:
    before = said("What were the Harbour Games about?", "Boats and music.", short="Boats and music", heading="Harbour Games, 3 May")
    assert "Harbour Games" in rewrite("Who paid for that?", before)
    assert rewrite("Who paid for that trip?", said("Who won?")) == "Who paid for that trip?"


def test_after_a_turn_the_report_could_not_answer_the_subject_stays() -> None:
    before = said("What were the Harbour Games about?", "Boats and music.", short="Boats and music", heading="Harbour Games, 3 May")
    before.turns.append(Turn("Which edition was it?", "Which edition was it?",
                             Answer("Which edition was it?", "The report does not say.", True, [])))
    assert "Harbour Games" in rewrite("Who organised it?", before)


def test_it_after_which_noun_is_the_entry_that_answered() -> None:
    """'Which project…' was answered by an entry: 'it' is that entry, not a name the question gave."""
    before = said("Which project has the town working with Rawson and Trelew?", "The town will work with Rawson and Trelew.",
                  short="The town will work with Rawson and Trelew.", heading="WOODPLAN, 2023 – 2027")
    assert rewrite("How much funding does it receive?", before) == "How much funding does WOODPLAN receive?"


def test_a_wh_phrase_alone_asks_the_previous_question_anew() -> None:
    assert rewrite("And in which city?", said("When was the coalition founded?")) == "In which city was the coalition founded?"
    assert rewrite("And where?", said("When was the coalition founded?")) == "Where was the coalition founded?"


def test_several_candidates_are_asked_back() -> None:
    before = said("Which cities signed agreements in May?", "…", short="Ushuaia, Rawson, Trelew", qtype="list")
    result = RuleRewriter().rewrite("When was it signed?", before)
    assert result.choices == ["Ushuaia", "Rawson", "Trelew"]


def test_what_about_swaps_the_name() -> None:
    before = said("When did the town twin with Ushuaia?")
    assert rewrite("What about Rawson?", before) == "When did the town twin with Rawson?"
    assert rewrite("And for the next round?", said("How much did the fund give for the first round?")) == (
        "How much did the fund give for the next round?"
    )


def test_what_about_a_common_noun_swaps_the_words_closest_in_meaning(assistant) -> None:
    """With the embedding model, 'the doubles' stands in for 'singles', not for the name."""
    before = said("Who won the singles at the Harbour Open?")
    assert assistant.rewriter.rewrite("How about the doubles?", before).question == "Who won the doubles at the Harbour Open?"
    # A name still swaps the name.
    assert assistant.rewriter.rewrite("What about the Bay Open?", before).question == "Who won the singles at the Bay Open?"


def test_the_reports_own_subject_is_not_the_name_a_follow_up_swaps_or_adds() -> None:
    """'Torino' names no entry: 'What about Rawson?' after '…Torino twin with Ushuaia?'
    swaps Ushuaia, and 'the pact' borrows Ushuaia, not Torino."""
    rewriter = RuleRewriter(subject=("Torino", "Turin"))
    before = said("When did Torino twin with Ushuaia?")
    assert rewriter.rewrite("What about Rawson?", before).question == "When did Torino twin with Rawson?"
    assert "(Ushuaia)" in rewriter.rewrite("When was the twinning renewed?", before).question


def test_a_topic_switch_is_not_rewritten() -> None:
    before = said("Which Patagonian city signed a pact with us in May?", "…", short="Ushuaia", qtype="where")
    assert rewrite("Who is the mayor of Torino?", before) == "Who is the mayor of Torino?"
    assert rewrite("How many delegations came in 2024?", before) == "How many delegations came in 2024?"


def test_main_name_is_the_longest_name() -> None:
    assert main_name("Who won the Harbour Games Cup in Torino?") == "Harbour Games Cup"
    assert main_name("when did we sign?") == ""
    assert main_name("Which city signed with Torino in November?") == "Torino"


def test_two_part_questions_split_and_merge() -> None:
    assert split_parts("How many members does the club have, and when did Torino join?") == [
        "How many members does the club have?",
        "when did Torino join?",
    ]
    assert split_parts("Who won the cup?") == ["Who won the cup?"]
    # A part that is only its question phrase shares the other part's clause.
    assert split_parts("When and where was the fair held?") == ["When was the fair held?", "where was the fair held?"]
    assert split_parts("How many stalls and how many visitors did the fair have?") == [
        "How many stalls did the fair have?", "how many visitors did the fair have?"]
    assert split_parts("Which mayor came, and from which city?") == ["Which mayor came?", "from which city?"]
    assert split_parts("How many stalls, and how many visitors, did the fair have?") == [
        "How many stalls did the fair have?", "how many visitors did the fair have?"]
    # A phrase set off by commas, even behind a preposition or before a verb of its own.
    assert split_parts("How many stalls, and from how many towns, did the fair draw?") == [
        "How many stalls did the fair draw?", "from how many towns did the fair draw?"]
    assert split_parts("How many runners, and how many crews, took part in the regatta?") == [
        "How many runners took part in the regatta?", "how many crews took part in the regatta?"]
    # A bare last phrase behind a preposition stays with its question (two figures, one sentence).
    assert split_parts("How many stalls opened, and from how many towns?") == ["How many stalls opened, and from how many towns?"]
    a = Answer("p1", "182 members. [1]", False, [Citation(1, "4", "Networks", "Club", "53–66", "182 members.", 10, 22)])
    b = Answer("p2", "Joined in 2015. [1] 182 members. [2]", False, [
        Citation(1, "4", "Networks", "Club", "53–66", "Joined in 2015.", 30, 45),
        Citation(2, "4", "Networks", "Club", "53–66", "182 members.", 10, 22),
    ])
    merged = merge_answers("both", [a, b])
    assert merged.answer == "182 members. [1] Joined in 2015. [2] 182 members. [1]"
    assert [c.n for c in merged.citations] == [1, 2]
    silent = Answer("p3", "The report does not say.", True, [])
    assert merge_answers("both", [a, silent]).answer.endswith("The report does not say “p3”.")
    assert merge_answers("both", [silent, silent]).abstained


def test_a_second_reading_adds_the_previous_subject_only_to_a_question_naming_nothing() -> None:
    before = said("What was the score at the Harbour Games final?", "It ended 3-1.", short="3-1", heading="Harbour Games, 3 May")
    rewriter = RuleRewriter()
    # 'boats' were not spoken of before, so the first reading leaves it alone…
    assert rewrite("How many boats took part?", before) == "How many boats took part?"
    # … and the second, used when the report finds nothing for the first, adds the subject.
    assert rewriter.in_context("How many boats took part?", before) == "How many boats took part (Harbour Games)?"
    assert rewriter.in_context("How many boats took part at the Alba Fair?", before) is None
    assert rewriter.in_context("How many boats took part?", Conversation()) is None


def test_and_before_a_whole_question_adds_nothing_to_it() -> None:
    """'And who…?' asks anew ('And with Bra?', 'And in which city?' borrow the last question)."""
    before = said("Who won the Harbour Games regatta?", "Maria Rossi won, while Anna Bianchi won the sprint.",
                  short="Maria Rossi", qtype="who")
    assert rewrite("and who won the sprint?", before) == "Who won the sprint?"
    assert rewrite("And in which city?", said("When were the Harbour Games held?")).startswith("In which city ")
