"""Fit the extractive reader's weights on the dev split, with cross-validation.

Run by `assistant eval --fit` (dev split only; test and fresh are never looked at here).

1. Every dev question is read and retrieved as the assistant would (follow-ups through
   the rewriter), and each candidate unit gets its signals (`extractive.FEATURES`) and a
   label: does the unit (with its heading) hold a gold answer string, in a gold section?
2. Candidate model: logistic regression (scikit-learn), questions kept whole in
   `GroupKFold` folds; the probabilities used next are the out-of-fold ones.
3. Support model: logistic regression over the best candidate's signals
   (`extractive.SUPPORT_FEATURES`); label: the question is answerable and its best
   candidate holds the answer. The threshold maximises, over out-of-fold probabilities,
   right answers + right abstentions - wrong answers (a wrong answer costs what a right
   one gains; an abstention on a question it would get wrong costs nothing).
4. The ratios for a second sentence and for list entries: a small grid, each scored by
   running the real reader over the dev split.
5. The rule reader's cut-offs (`fit_rules`): a grid, each combination run over dev,
   the best utility kept, its cross-validated utility printed.
6. The guard over the default reader (`fit_guard`): logistic regression over the fitted
   reader's view of each answer the rule reader gives on dev (`extractive.GUARD_FEATURES`),
   label: that answer holds the gold; threshold by the same out-of-fold utility, the
   trade-off at other costs of a wrong answer printed beside it.
7. The short-answer span models (`fit_spans`), kept where they beat the neutral ranking.
The result is written to `extractive.WEIGHTS_PATH` and printed.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np

from .extractive import FEATURES, SUPPORT_FEATURES, WEIGHTS_PATH, ExtractiveReader, ReaderWeights
from .question import read_question
from .reader import Conversation, quoted_as
from .text import fold

if TYPE_CHECKING:
    from .evaluation import QAItem
    from .service import Assistant


def _holds(text: str, item: QAItem) -> bool:
    said = fold(text)
    return any(fold(alt) in said for group in item.answers for alt in group)


def last_turn(assistant: Assistant, item: QAItem) -> tuple[str, Conversation, list[Any]] | None:
    """An item's last turn as the assistant reads it (earlier turns answered first): the
    question as understood, the conversation before it, its passages; None if it asks back."""
    conversation = Conversation()
    for turn in item.turns[:-1]:
        assistant.answer_turn(turn, conversation)
    understood = assistant.understand(item.turns[-1], conversation)
    if understood.choices:
        return None
    question = understood.question
    return question, conversation, assistant.retriever.search(question, assistant.embed(question))


def collect(assistant: Assistant, items: Sequence[QAItem]) -> list[dict[str, Any]]:
    """Per question: its candidates' signals and labels, and what the support model needs."""
    reader = assistant.reader
    assert isinstance(reader, ExtractiveReader), "fitting needs ASSISTANT_READER=fitted"
    rows = []
    for qi, item in enumerate(items):
        read = last_turn(assistant, item)
        if read is None:
            continue
        question, _, hits = read
        q = read_question(question)
        if q.language != "en":
            continue
        vec = np.asarray(assistant.embed(question), dtype=np.float32)
        vec /= np.linalg.norm(vec) + 1e-12
        ranked = reader.candidates(q, vec, hits)
        if not ranked:
            continue
        labels = [
            int(item.answerable and _holds(f"{c.chunk.heading} {c.unit.text}", item)
                and (not item.sections or c.chunk.section_id in item.sections or c.chunk.chapter_id in item.sections))
            for c in ranked
        ]
        rows.append({"item": item, "q": q, "ranked": ranked, "labels": labels, "group": qi})
    return rows


def fit(assistant: Assistant, items: Sequence[QAItem], echo: Callable[[str], None] = print, folds: int = 5,
        wrong_cost: float = 1.0) -> ReaderWeights:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    reader = assistant.reader
    assert isinstance(reader, ExtractiveReader)
    data = collect(assistant, items)
    X = np.concatenate([np.stack([c.features for c in d["ranked"]]) for d in data])
    y = np.concatenate([np.asarray(d["labels"]) for d in data])
    groups = np.concatenate([[d["group"]] * len(d["ranked"]) for d in data])
    echo(f"Fitting on {len(data)} dev questions, {len(y)} candidates ({int(y.sum())} holding a gold answer).")

    def candidate_model() -> LogisticRegression:
        return LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)

    oof = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=folds).split(X, y, groups):
        oof[test] = candidate_model().fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    echo(f"  candidate model, out-of-fold AUC {roc_auc_score(y, oof):.3f}")
    full = candidate_model().fit(X, y)

    # Support features from out-of-fold candidate probabilities; the label is whether the
    # answer the reader would compose from them is right.
    from .evaluation import is_correct

    S, answerable_right, unanswerable, top1 = [], [], [], []
    offset = 0
    for d in data:
        n = len(d["ranked"])
        for c, p in zip(d["ranked"], oof[offset: offset + n]):
            c.p = float(p)
        ranked = sorted(d["ranked"], key=lambda c: c.p, reverse=True)
        S.append(reader.support_features(d["q"], ranked))
        item = d["item"]
        right = item.answerable and is_correct(reader.compose(item.question, d["q"], ranked).answer, item.answers)
        answerable_right.append(right)
        unanswerable.append(not d["item"].answerable)
        top1.append(right)
        offset += n
    S = np.stack(S)
    ok = np.asarray(answerable_right, dtype=int)
    no = np.asarray(unanswerable, dtype=bool)
    answerable = ~no
    echo(f"  composed answer right (out-of-fold, before abstaining) on {ok[answerable].mean():.3f} of answerable dev questions")

    def support_model() -> LogisticRegression:
        return LogisticRegression(C=1.0, max_iter=2000)

    q_groups = np.arange(len(S))
    s_oof = np.zeros(len(S))
    for train, test in GroupKFold(n_splits=folds).split(S, ok, q_groups):
        s_oof[test] = support_model().fit(S[train], ok[train]).predict_proba(S[test])[:, 1]
    grid = np.unique(np.round(s_oof, 3))
    utility = [((s_oof >= t) & (ok == 1)).sum() + ((s_oof < t) & no).sum() - wrong_cost * ((s_oof >= t) & (ok == 0)).sum() for t in grid]
    threshold = float(grid[int(np.argmax(utility))])
    for cost in (1.0, 0.5, 0.33):
        u = [((s_oof >= t) & (ok == 1)).sum() + ((s_oof < t) & no).sum() - cost * ((s_oof >= t) & (ok == 0)).sum() for t in grid]
        t = grid[int(np.argmax(u))]
        echo(f"    wrong answer cost {cost}: threshold {t:.3f} -> right {((s_oof >= t) & (ok == 1)).sum()}, "
             f"wrong {((s_oof >= t) & (ok == 0)).sum()}, right abstentions {((s_oof < t) & no).sum()} of {no.sum()}")
    echo(f"  support model: threshold {threshold:.3f} (out-of-fold utility {max(utility)} over {len(S)} questions)")
    support = support_model().fit(S, ok)

    weights = ReaderWeights(
        candidate_coef=[float(v) for v in full.coef_[0]], candidate_bias=float(full.intercept_[0]),
        support_coef=[float(v) for v in support.coef_[0]], support_bias=float(support.intercept_[0]),
        answer_threshold=threshold, extra_ratio=1.1, list_ratio=1.1,
    )
    reader.weights = weights
    weights.extra_ratio = _best_ratio(assistant, items, "extra_ratio", echo)
    weights.list_ratio = _best_ratio(assistant, items, "list_ratio", echo, only_type="list")
    return weights


def fit_guard(assistant: Assistant, items: Sequence[QAItem], echo: Callable[[str], None] = print,
              folds: int = 5, wrong_cost: float = 1.0) -> ReaderWeights:
    """Fit the guard over the default reader's answers (see `extractive.GuardedReader`).

    `wrong_cost`: what keeping a wrong answer costs against the 1 a right one gains. The
    utility table it prints shows the trade-off at other costs: on dev the guard's signals
    separate right from wrong answers weakly (AUC about 0.68), so at cost 1 it drops little,
    and at 1.5-2 it drops more right answers than wrong ones.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from .evaluation import is_correct
    from .extractive import GUARD_FEATURES, GuardedReader

    guarded = assistant.reader
    assert isinstance(guarded, GuardedReader), "the guard is fitted over the default reader"
    judge = guarded.judge
    judge.weights.guard_coef = []  # judge nothing while collecting
    X, y, unanswerable = [], [], []
    for item in items:
        read = last_turn(assistant, item)
        if read is None:
            continue
        question, conversation, hits = read
        answer = guarded.base.answer(question, hits, conversation)
        if answer.abstained or answer.qtype == "list":
            continue  # lists are not judged (see `GuardedReader`)
        features = judge.guard_features(question, hits, answer)
        if features is None:
            continue
        X.append(features)
        y.append(int(item.answerable and is_correct(answer.answer, item.answers)))
        unanswerable.append(not item.answerable)
    X, y, no = np.stack(X), np.asarray(y), np.asarray(unanswerable)
    echo(f"Guard: {len(y)} dev answers of the default reader, {int(y.sum())} right, {int((1 - y).sum())} wrong "
         f"({int(no.sum())} to unanswerable questions).")
    # Out-of-fold probabilities averaged over five shufflings of the folds: with a few
    # dozen wrong answers, one shuffling alone moves the threshold a lot.
    oof = np.zeros(len(y))
    for seed in range(5):
        for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(X, y):
            oof[test] += LogisticRegression(max_iter=2000).fit(X[train], y[train]).predict_proba(X[test])[:, 1] / 5
    grid = np.concatenate([[0.0], np.unique(np.round(oof, 3))])
    # Keeping an answer gains 1 if right and costs `wrong_cost` if wrong; dropping a wrong
    # answer to an unanswerable question is a right abstention (+1), to an answerable one 0.
    utility = [((oof >= t) & (y == 1)).sum() - wrong_cost * ((oof >= t) & (y == 0)).sum() + ((oof < t) & no).sum()
               for t in grid]
    threshold = float(grid[int(np.argmax(utility))])
    from sklearn.metrics import roc_auc_score

    echo(f"  guard out-of-fold AUC {roc_auc_score(y, oof):.3f}")
    for cost in (1.0, 1.5, 2.0, 3.0):
        u = [((oof >= t) & (y == 1)).sum() - cost * ((oof >= t) & (y == 0)).sum() + ((oof < t) & no).sum() for t in grid]
        t = grid[int(np.argmax(u))]
        echo(f"    wrong answer cost {cost}: threshold {t:.3f} keeps {int(((oof >= t) & (y == 1)).sum())} right, "
             f"{int(((oof >= t) & (y == 0)).sum())} wrong")
    kept = oof >= threshold
    echo(f"  guard threshold {threshold:.3f} (out of fold): keeps {int((kept & (y == 1)).sum())} right, "
         f"{int((kept & (y == 0)).sum())} wrong; drops {int((~kept & (y == 1)).sum())} right, {int((~kept & (y == 0)).sum())} wrong")
    model = LogisticRegression(max_iter=2000).fit(X, y)
    weights = judge.weights
    weights.guard_coef = [float(v) for v in model.coef_[0]]
    weights.guard_bias = float(model.intercept_[0])
    weights.guard_threshold = threshold
    assert len(weights.guard_coef) == len(GUARD_FEATURES)
    return weights


SPAN_C = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # the span models' regularisation strengths tried
SPAN_REPEATS = 4  # random splits of the questions into folds each choice is scored on


def fit_spans(assistant: Assistant, items: Sequence[QAItem], echo: Callable[[str], None] = print,
              folds: int = 5) -> dict[str, list[float]]:
    """Fit the short-answer span models (`spans.SPAN_FEATURES`), one per kind: over the
    quoted sentences of every right dev answer, a candidate span is labelled by whether it
    holds a gold answer (what it weighs: `spans.signals`). Its regularisation is chosen by
    the out-of-fold share of questions whose best span holds the gold (the mean over
    `SPAN_REPEATS` random splits). A model is kept only where that share beats the
    default's: the neutral ranking, or for 'thing' questions (which have none) the first
    quoted sentence as the answer gives it. Prints both shares."""
    from sklearn.linear_model import LogisticRegression

    from .evaluation import is_correct
    from .spans import NEUTRAL, SPAN_FEATURES, kind_of, signals, span_candidates

    data: dict[str, list[tuple[int, np.ndarray, int]]] = {kind: [] for kind in SPAN_FEATURES}
    sentence_holds: dict[str, dict[int, int]] = {kind: {} for kind in SPAN_FEATURES}
    for qi, item in enumerate(items):
        if not item.answerable:
            continue
        answer = assistant.ask_turns(list(item.turns))
        q = read_question(answer.understood_as or item.question)
        kind = kind_of(q)
        if answer.abstained or not kind or not answer.citations or not is_correct(answer.answer, item.answers):
            continue
        spans = span_candidates(q, [(c.quote, c.heading) for c in answer.citations[:3]], assistant.vocab.lower,
                                assistant.embed_texts)
        shown = quoted_as(answer)  # a whole sentence is given as the answer gives it
        texts = [shown[s.sentence] if s.whole and s.sentence < len(shown) else s.text for s in spans]
        labels = [int(any(fold(alt) in fold(text) for group in item.answers for alt in group)) for text in texts]
        sentence_holds[kind][qi] = int(is_correct(shown[0] if shown else answer.citations[0].quote, item.answers))
        if spans:
            data[kind] += [(qi, f, y) for f, y in zip(signals(kind, np.stack([s.features for s in spans])), labels)]
    fitted: dict[str, list[float]] = {}
    for kind, rows in data.items():
        if len({g for g, _, y in rows if y}) < folds:
            continue
        groups = np.asarray([g for g, _, _ in rows])
        question_of = np.unique(groups, return_inverse=True)[1]  # each candidate's question, 0…n-1
        X = np.stack([f for _, f, _ in rows])
        y = np.asarray([label for _, _, label in rows])

        def top1(scores: np.ndarray) -> float:
            """Over every right answer of this kind: does the best-scored span hold the gold?"""
            best: dict[int, tuple[float, int]] = {}
            for g, score, label in zip(groups, scores, y):
                if g not in best or score > best[g][0]:
                    best[g] = (score, label)
            return sum(label for _, label in best.values()) / len(sentence_holds[kind])

        def out_of_fold(c: float) -> float:
            """The mean top-1 share over `SPAN_REPEATS` splits of the questions into folds."""
            shares = []
            for seed in range(SPAN_REPEATS):
                fold_of = np.random.RandomState(seed).permutation(question_of.max() + 1)[question_of] % folds
                oof = np.zeros(len(y))
                for k in range(folds):
                    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
                    oof[fold_of == k] = model.fit(X[fold_of != k], y[fold_of != k]).decision_function(X[fold_of == k])
                shares.append(top1(oof))
            return float(np.mean(shares))

        # The regularisation too is chosen by its out-of-fold share; a tie goes to the stronger.
        shares = {c: out_of_fold(c) for c in SPAN_C}
        c = max(SPAN_C, key=lambda c: (round(shares[c], 6), -c))
        share = shares[c]
        if kind in NEUTRAL:
            default, what = top1(X @ np.asarray(NEUTRAL[kind])), "neutral weights"
        else:
            default, what = sum(sentence_holds[kind].values()) / len(sentence_holds[kind]), "the whole sentence"
        echo(f"  {kind} spans: {len(sentence_holds[kind])} right dev answers, {len(y)} candidates; best span "
             f"holds the gold {share:.2f} out of fold at C={c} ({what} {default:.2f})")
        if share > default:
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(X, y)
            fitted[kind] = [*map(float, model.coef_[0]), float(model.intercept_[0])]
    return fitted


RULE_GRID = {
    "abstain_below": (0.42, 0.46, 0.50, 0.54, 0.58, 0.62, 0.66),
    "dense_enough": (0.65, 0.7, 0.75, 0.8, 1.01),
    "dense_weight": (0.55, 0.65, 0.75),
}
# Fitted after the grid, one at a time, in this order:
# - phrase_weight: what the share of the question's word pairs the sentence holds in the
#   same order adds to its score (0: nothing);
# - carry: the share of the score of the unit before that a unit able to answer takes when
#   that one is not (0: none);
# - person_ratio: how close a sentence naming a person must come to the best one to go
#   first for 'who' (1.01: never);
# - asked_share: the rarity-weighted share of what is asked the sentence must name (1: all);
# - person_needed: whether a 'who is…' question (not 'who <did>…') needs a sentence naming
#   a person (1: yes);
# - tense_needed: whether a question in the past is left unanswered by a sentence that
#   announces the event in the future (1: yes);
# - truecase: whether a question's lower-case word the report writes only capitalised
#   ('lviv'), or a lower-case run of words it writes as a name, binds as a name (1: yes);
# - unknown_ratio: what a word the report never uses costs, as a share of its weight
#   (0: nothing);
# - named_relief: the share of the abstention cut-off a sentence that itself names every
#   name of the question needs (1: the whole cut-off);
# - month_binds: whether a month the question dates something by ('…in March?') binds
#   like a year other than the report's own: the entry must name it (1: yes);
# - name_needed: whether 'What is the name of the X?' needs a sentence naming something the
#   question does not (1: yes);
# - count_binds: whether 'How many X?' needs a sentence holding a figure of X, by the words
#   right after or just before it (1: yes);
# - object_needed: the rarity-weighted share of X that the entry answering 'Who won the X?'
#   must name (0: none needed; 0.01: any of it);
# - premise_binds: whether a name the question takes as given, which the answering sentence
#   replaces by another after the same words ('the Forum in Bra?' / 'the Forum in Alba'),
#   or, for a name the report never mentions, by a name as close in meaning as a synonym
#   ('Saluzzo' / 'Alba'), and an edition ('Harbour Games 2024') the entry gives only with
#   another year, leaves the question unanswered (1: yes);
# - synonym_at: how close in meaning (cosine of word vectors) a word of the sentence must
#   come to an asked word it does not write to name it ('students' for 'pupils'; 1.01: never);
# - ordinal_binds: whether an ordinal on a noun ('the third round') binds like a year: the
#   entry must name it, in words or figures (1: yes);
# - name_ratio: how close a sentence giving the asked X a name ('the festival "Harbour Games"')
#   must come to the best one to go first for 'What is the name of the X?' (1.01: never);
# - count_ratio: how close a sentence with a figure of X must come to the best one to go
#   first for 'How many X?' when the best one's figures count something else (1.01: never);
# - reason_needed: whether 'Why…?' is answered only by a sentence giving a purpose or a
#   cause ('…to promote…', '…because…'), never by a table row (1: yes);
# - date_new: whether 'When…' needs a sentence (or heading) giving a date the question does
#   not ('On what date in March…' is not answered by 'In March…') (1: yes);
# - which_did: whether 'Which club won the X?' binds X as 'Who won the X?' does
#   (`object_needed`) (1: yes).
RULE_RATIOS = {
    "phrase_weight": (0.0, 0.05, 0.1, 0.2),
    "carry": (0.0, 0.8, 0.9),
    "person_ratio": (1.01, 0.9, 0.8, 0.7, 0.6),
    "asked_share": (1.0, 0.8, 0.6, 0.4),
    "person_needed": (0.0, 1.0),
    "tense_needed": (0.0, 1.0),
    "truecase": (0.0, 1.0),
    "unknown_ratio": (0.0, 0.25, 0.5),
    "named_relief": (1.0, 0.9, 0.8, 0.7),
    "month_binds": (0.0, 1.0),
    "name_needed": (0.0, 1.0),
    "count_binds": (0.0, 1.0),
    "object_needed": (0.0, 0.01, 0.5),
    "premise_binds": (0.0, 1.0),
    "synonym_at": (1.01, 0.8, 0.7, 0.6, 0.5),
    "ordinal_binds": (0.0, 1.0),
    "name_ratio": (1.01, 0.9, 0.8, 0.7, 0.6),
    "count_ratio": (1.01, 0.9, 0.7, 0.5),
    "reason_needed": (0.0, 1.0),
    "date_new": (0.0, 1.0),
    "which_did": (0.0, 1.0),
}


def fit_rules(assistant: Assistant, items: Sequence[QAItem], echo: Callable[[str], None] = print,
              folds: int = 5, rounds: int = 3, previous: Mapping[str, float] | None = None) -> dict[str, float]:
    """Fit the rule reader's cut-offs (`RULE_GRID`): every combination is run over the dev
    split once; the combination with the best utility (right answers + right abstentions -
    wrong answers) is chosen. The printed cross-validated utility picks on four folds and
    scores the fifth, so it says how well the choice carries to unseen questions. Then the
    ratios (`RULE_RATIOS`), one at a time; then the grid again with them in place, and the
    ratios again, while the grid's choice changes (at most `rounds` times): the cut-offs
    that suit the ratios off need not suit them on.

    Fitting one value at a time can stop short of a better combination, so a second start
    goes on from the `previous` fit's values (those in `reader_weights.json`): the ratios
    fitted again from there, the better end on dev kept."""
    import itertools

    from sklearn.model_selection import KFold

    answerer = assistant.reader.base.answerer  # type: ignore[attr-defined]
    assistant.reader.judge.weights.guard_coef = []  # type: ignore[attr-defined]  # the guard is fitted after
    combos = list(itertools.product(*RULE_GRID.values()))
    # The cut-offs act after retrieval: each question's passages are found once, not per combination.
    search, found = assistant.retriever.search, {}
    assistant.retriever.search = lambda q, v: found[q] if q in found else found.setdefault(q, search(q, v))  # type: ignore[method-assign]
    chosen: dict[str, float] = {}
    utility = None  # dev utility where the fit stands: each grid and ratio pass measures it
    try:
        for _ in range(rounds):
            outcome = np.zeros((len(combos), len(items)))
            for ci, combo in enumerate(combos):
                for name, value in zip(RULE_GRID, combo):
                    setattr(answerer, name, value)
                outcome[ci] = _rule_outcomes(assistant, items)
            total = outcome.sum(axis=1)
            held_out = 0.0
            for train, test in KFold(n_splits=folds, shuffle=True, random_state=0).split(items):
                held_out += outcome[int(np.argmax(outcome[:, train].sum(axis=1))), test].sum()
            best = int(np.argmax(total))
            cutoffs = dict(zip(RULE_GRID, combos[best]))
            echo(f"  rule reader cut-offs {cutoffs}: dev utility {total[best]:.0f} of {len(items)} "
                 f"(cross-validated {held_out:.0f}; worst combination {total.min():.0f}; median {np.median(total):.0f})")
            for name, value in cutoffs.items():
                setattr(answerer, name, value)
            utility = float(total[best])
            if chosen and all(chosen[k] == v for k, v in cutoffs.items()):
                break  # the ratios in place leave the cut-offs as they were
            chosen.update(cutoffs)
            ratios, utility = fit_ratios(assistant, items, echo)
            chosen.update(ratios)
        chosen = {name: getattr(answerer, name) for name in (*RULE_GRID, *RULE_RATIOS)}
        if previous:
            if utility is None:  # no grid was run: measure where the fit stands
                utility = float(_rule_outcomes(assistant, items).sum())
            for name in chosen:
                setattr(answerer, name, previous.get(name, getattr(answerer, name)))
            echo(f"  from the previous fit's values: {dict(previous)}")
            ratios, warm_utility = fit_ratios(assistant, items, echo)
            warm = {**{name: getattr(answerer, name) for name in RULE_GRID}, **ratios}
            echo(f"  dev utility {warm_utility:.0f} from the previous fit, {utility:.0f} from the grid: "
                 f"keeping the {'previous' if warm_utility > utility else 'grid'}'s end")
            if warm_utility > utility:
                chosen = warm
            for name, value in chosen.items():
                setattr(answerer, name, value)
    finally:
        del assistant.retriever.search
    return {k: float(v) for k, v in chosen.items()}


def _rule_outcomes(assistant: Assistant, items: Sequence[QAItem]) -> np.ndarray:
    """Per item: +1 for a right answer or abstention, -1 for a wrong one, 0 for a false abstention."""
    from .evaluation import is_correct

    row = np.zeros(len(items))
    for ii, item in enumerate(items):
        answer = assistant.ask_turns(list(item.turns))
        if not item.answerable:
            row[ii] = 1.0 if answer.abstained else -1.0
        elif not answer.abstained:
            row[ii] = 1.0 if is_correct(answer.answer, item.answers) else -1.0
    return row


def fit_ratios(assistant: Assistant, items: Sequence[QAItem],
               echo: Callable[[str], None] = print) -> tuple[dict[str, float], float]:
    """Each of the rule reader's ratios (`RULE_RATIOS`) in turn, the rest as they are (1.01:
    never prefer); with the dev utility where they end (the last ratio's chosen score)."""
    answerer = assistant.reader.base.answerer  # type: ignore[attr-defined]
    chosen: dict[str, float] = {}
    utility = None
    for name, values in RULE_RATIOS.items():
        scores = {}
        for value in values:
            setattr(answerer, name, value)
            scores[value] = float(_rule_outcomes(assistant, items).sum())
        chosen[name] = max(values, key=lambda v: (scores[v], v))
        setattr(answerer, name, chosen[name])
        utility = scores[chosen[name]]
        echo(f"  {name} {chosen[name]} (dev utility by value: {scores})")
    if utility is None:
        utility = float(_rule_outcomes(assistant, items).sum())
    return chosen, utility


def _best_ratio(assistant: Assistant, items: Sequence[QAItem], name: str, echo: Callable[[str], None], only_type: str = "") -> float:
    from .evaluation import is_correct

    reader = assistant.reader
    chosen = [i for i in items if i.answerable and (not only_type or i.type == only_type)]
    scores = {}
    for ratio in (0.5, 0.65, 0.8, 0.9, 1.1):
        setattr(reader.weights, name, ratio)
        scores[ratio] = sum(is_correct(assistant.ask_turns(list(i.turns)).answer, i.answers) for i in chosen)
    best = max(scores, key=lambda r: (scores[r], r))
    echo(f"  {name}: {best} (right answers on {len(chosen)} dev items by ratio: {scores})")
    return best


def refit(settings: Any, qa_path: Any, echo: Callable[[str], None] = print) -> ReaderWeights:
    """Fit the fitted reader, then the guard over the default reader, on the dev split; save."""
    from .evaluation import load_qa
    from .service import build_assistant

    items = load_qa(qa_path, "dev")
    previous = ReaderWeights.load().rule_params  # where the rule fit's second start begins
    fitted = fit(build_assistant(settings.model_copy(update={"reader": "fitted"})), items, echo)
    save(fitted, {"split": "dev", "items": len(items)})
    guarded = build_assistant(settings.model_copy(update={"reader": "extractive"}))
    rule_params = fit_rules(guarded, items, echo, previous=previous)
    weights = fit_guard(guarded, items, echo)
    weights.rule_params = rule_params
    weights.span_coef = fit_spans(guarded, items, echo)
    save(weights, {"split": "dev", "items": len(items)})
    echo(describe(weights))
    return weights


def save(weights: ReaderWeights, note: dict[str, Any]) -> None:
    WEIGHTS_PATH.write_text(json.dumps({**asdict(weights), "fitted": note}, indent=2) + "\n")


def describe(weights: ReaderWeights) -> str:
    """The fitted weights, one signal a line, as `assistant eval` prints them."""
    lines = ["Reader weights (fitted on dev, see assistant/fitting.py):", "  candidate model:"]
    lines += [f"    {name:<16} {w:+.3f}" for name, w in zip(FEATURES, weights.candidate_coef)]
    lines.append(f"    {'(bias)':<16} {weights.candidate_bias:+.3f}")
    lines.append("  support model:")
    lines += [f"    {name:<16} {w:+.3f}" for name, w in zip(SUPPORT_FEATURES, weights.support_coef)]
    lines.append(f"    {'(bias)':<16} {weights.support_bias:+.3f}")
    lines.append(f"  answer when support >= {weights.answer_threshold:.3f}; second sentence at "
                 f"{weights.extra_ratio} of the best; list entries at {weights.list_ratio}")
    if weights.guard_coef:
        from .extractive import GUARD_FEATURES

        lines.append("  guard over the default reader's answers:")
        lines += [f"    {name:<20} {w:+.3f}" for name, w in zip(GUARD_FEATURES, weights.guard_coef)]
        lines.append(f"    {'(bias)':<20} {weights.guard_bias:+.3f}")
        lines.append(f"  keep an answer when the guard gives >= {weights.guard_threshold:.3f}")
    from .spans import signal_names

    if weights.rule_params:
        lines.append("  rule reader cut-offs: " + ", ".join(f"{k} {v}" for k, v in weights.rule_params.items()))

    for kind, coef in weights.span_coef.items():
        lines.append(f"  short-answer spans, {kind}:")
        lines += [f"    {name:<20} {w:+.3f}" for name, w in zip((*signal_names(kind), "(bias)"), coef)]
    return "\n".join(lines)

