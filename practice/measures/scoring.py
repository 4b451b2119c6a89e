"""One scoring engine for every measure defined in ``definitions``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from practice.measures.definitions import NOT_APPLICABLE, Measure, Scoring


class AnswerError(ValueError):
    """Answers that do not fit the measure; ``item`` names the first one at fault."""

    def __init__(self, item: str, message: str) -> None:
        super().__init__(message)
        self.item = item


def check_answers(measure: Measure, answers: Mapping[str, int]) -> dict[str, int]:
    """Return the answers in item order, refusing missing, unknown or out-of-range ones."""
    unknown = set(answers) - set(measure.item_keys)
    if unknown:
        raise AnswerError(sorted(unknown)[0], "This question is not part of the measure.")
    checked = {}
    for item in measure.items:
        if item.key not in answers or answers[item.key] is None:
            raise AnswerError(item.key, "Please answer this question.")
        value = answers[item.key]
        if isinstance(value, bool) or not isinstance(value, int) or value not in item.scores:
            raise AnswerError(item.key, "Choose one of the answers offered.")
        checked[item.key] = value
    return checked


def total(measure: Measure, answers: Mapping[str, int]) -> float:
    """Score a complete, checked set of answers."""
    scores = [answers[key] for key in measure.item_keys if answers[key] != NOT_APPLICABLE]
    if measure.scoring is Scoring.SUM:
        return float(sum(scores))
    if measure.scoring is Scoring.MEAN:
        return round(sum(scores) / len(scores), 1) if scores else 0.0
    return float(sum(1 for score in scores if score > 0))


def is_positive_screen(measure: Measure, answers: Mapping[str, int]) -> bool:
    return measure.scoring is Scoring.ANY_YES and any(answers[k] > 0 for k in measure.item_keys)


def below_cutoff(measure: Measure, score: float) -> bool | None:
    """True when a score is on the concerning side of the cutoff; None without a cutoff."""
    if measure.cutoff is None:
        return None
    return score < measure.cutoff if measure.higher_is_better else score > measure.cutoff


@dataclass(frozen=True)
class Change:
    first: float
    latest: float
    reliable_change_index: float | None

    @property
    def difference(self) -> float:
        return round(self.latest - self.first, 1)

    @property
    def is_reliable(self) -> bool | None:
        if self.reliable_change_index is None:
            return None
        return abs(self.reliable_change_index) > 1.96


def change(measure: Measure, first: float, latest: float) -> Change:
    """Change from the first to the latest score, with the reliable change index if defined."""
    rci = None
    if measure.reliable_change is not None:
        standard_error = measure.reliable_change.sd * math.sqrt(
            1 - measure.reliable_change.reliability
        )
        rci = round((latest - first) / (math.sqrt(2) * standard_error), 2)
    return Change(first=first, latest=latest, reliable_change_index=rci)


def diverging_items(
    measure: Measure, one: Mapping[str, int], other: Mapping[str, int]
) -> list[str]:
    """The items on which two partners' answers are at least the threshold apart."""
    if measure.item_divergence is None:
        return []
    return [
        key
        for key in measure.item_keys
        if NOT_APPLICABLE not in (one[key], other[key])
        and abs(one[key] - other[key]) >= measure.item_divergence
    ]


def totals_diverge(measure: Measure, one: float, other: float) -> bool:
    return measure.divergence is not None and abs(one - other) >= measure.divergence
