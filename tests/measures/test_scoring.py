"""Scores checked against values worked out by hand from the published scoring rules."""

from __future__ import annotations

import pytest

from practice.measures import scoring
from practice.measures.definitions import CHECKIN, CSI4, HARK, MEASURES, Measure, ReliableChange

# (happiness 0–6, warm 0–5, rewarding 0–5, satisfied 0–5) -> total, below 13.5?
CSI4_CASES = [
    ((0, 0, 0, 0), 0, True),
    ((6, 5, 5, 5), 21, False),
    ((3, 3, 3, 3), 12, True),
    ((3, 4, 3, 3), 13, True),
    ((4, 3, 4, 3), 14, False),
    ((6, 0, 0, 0), 6, True),
    ((0, 5, 5, 5), 15, False),
    ((2, 4, 4, 3), 13, True),
    ((5, 4, 3, 2), 14, False),
    ((1, 2, 3, 4), 10, True),
]


@pytest.mark.parametrize(("answers", "expected_total", "dissatisfied"), CSI4_CASES)
def test_csi4_totals_and_cutoff_verdicts_match_hand_computed_values(
    answers, expected_total, dissatisfied
):
    given = dict(zip(CSI4.item_keys, answers, strict=True))
    checked = scoring.check_answers(CSI4, given)
    total = scoring.total(CSI4, checked)
    assert total == expected_total
    assert scoring.below_cutoff(CSI4, total) is dissatisfied


def test_csi4_items_and_answer_labels_are_the_published_ones():
    happiness, warm, rewarding, satisfied = CSI4.items
    assert happiness.text == (
        "Please indicate the degree of happiness, all things considered, of your relationship."
    )
    assert [o.label for o in happiness.options] == [
        "Extremely Unhappy",
        "Fairly Unhappy",
        "A Little Unhappy",
        "Happy",
        "Very Happy",
        "Extremely Happy",
        "Perfect",
    ]
    assert [o.score for o in happiness.options] == list(range(7))
    assert warm.text == "I have a warm and comfortable relationship with my partner."
    assert [o.label for o in warm.options][-1] == "Completely TRUE"
    assert rewarding.text == "How rewarding is your relationship with your partner?"
    assert satisfied.text == "In general, how satisfied are you with your relationship?"
    for item in (warm, rewarding, satisfied):
        assert [o.score for o in item.options] == list(range(6))
    assert (CSI4.minimum, CSI4.maximum, CSI4.cutoff) == (0, 21, 13.5)
    assert "Funk" in CSI4.source and "21(4), 572–583" in CSI4.source


@pytest.mark.parametrize(
    ("answers", "message", "item"),
    [
        ({"happiness": 7, "warm": 0, "rewarding": 0, "satisfied": 0}, "Choose one", "happiness"),
        ({"happiness": 6, "warm": 6, "rewarding": 0, "satisfied": 0}, "Choose one", "warm"),
        ({"happiness": 1, "warm": 1, "rewarding": 1}, "Please answer", "satisfied"),
        ({"happiness": -1, "warm": 1, "rewarding": 1, "satisfied": 1}, "Choose one", "happiness"),
        ({"happiness": True, "warm": 1, "rewarding": 1, "satisfied": 1}, "Choose one", "happiness"),
        ({"happiness": 1, "warm": 1, "rewarding": 1, "satisfied": 1, "x": 1}, "not part", "x"),
    ],
)
def test_answers_outside_the_measure_are_refused(answers, message, item):
    with pytest.raises(scoring.AnswerError, match=message) as error:
        scoring.check_answers(CSI4, answers)
    assert error.value.item == item


@pytest.mark.parametrize(
    ("answers", "positive"),
    [
        ((0, 0, 0, 0), False),
        ((1, 0, 0, 0), True),
        ((0, 1, 0, 0), True),
        ((0, 0, 1, 0), True),
        ((0, 0, 0, 1), True),
        ((1, 1, 1, 1), True),
    ],
)
def test_hark_is_positive_when_any_answer_is_yes(answers, positive):
    checked = scoring.check_answers(HARK, dict(zip(HARK.item_keys, answers, strict=True)))
    assert scoring.is_positive_screen(HARK, checked) is positive


def test_checkin_scores_the_mean_and_flags_areas_four_apart():
    one = dict.fromkeys(CHECKIN.item_keys, 8)
    other = {**one, "finances": 4, "closeness": 5}
    assert scoring.total(CHECKIN, one) == 8.0
    assert scoring.total(CHECKIN, other) == round((8 * 5 + 4 + 5) / 7, 1)
    assert scoring.diverging_items(CHECKIN, one, other) == ["finances"]


def test_csi4_totals_five_apart_diverge():
    assert scoring.totals_diverge(CSI4, 15, 10)
    assert not scoring.totals_diverge(CSI4, 15, 10.5)


def test_reliable_change_only_for_measures_that_carry_its_parameters():
    assert scoring.change(CSI4, 10, 18).reliable_change_index is None
    with_parameters = Measure(
        **{
            **{
                f: getattr(CSI4, f)
                for f in (
                    "key",
                    "title",
                    "short_title",
                    "instructions",
                    "items",
                    "scoring",
                    "minimum",
                    "maximum",
                    "higher_is_better",
                    "source",
                    "cutoff",
                )
            },
            "reliable_change": ReliableChange(sd=4.0, reliability=0.84),
        }
    )
    change = scoring.change(with_parameters, 10, 16)
    # SE = 4 * sqrt(0.16) = 1.6; S_diff = 1.6 * sqrt(2) = 2.263; RCI = 6 / 2.263 = 2.65
    assert change.reliable_change_index == 2.65
    assert change.is_reliable


def test_every_measure_states_its_source():
    for measure in MEASURES.values():
        assert measure.source
