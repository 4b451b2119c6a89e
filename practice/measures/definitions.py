"""Each measure is data: items, answers, scoring, range, direction, cutoff and source.

The CSI-4 and HARK wording is reproduced exactly as published (see ``source``); everything
else on screen is the project's own text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Scoring(enum.Enum):
    SUM = "sum"  # total = sum of item scores
    MEAN = "mean"  # total = mean of item scores, one decimal
    ANY_YES = "any_yes"  # positive when any item is answered yes


@dataclass(frozen=True)
class Option:
    label: str
    score: int


NOT_APPLICABLE = -1  # the score of a "does not apply" answer; left out of the total


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    options: tuple[Option, ...]
    # For 0–10 scales: words at the two ends, shown beside the numbers.
    low_label: str = ""
    high_label: str = ""
    short: str = ""  # a few words naming the item in tables and flags

    @property
    def scores(self) -> frozenset[int]:
        return frozenset(option.score for option in self.options)


@dataclass(frozen=True)
class ReliableChange:
    """Jacobson & Truax (1991) parameters: the normative SD and the test-retest reliability."""

    sd: float
    reliability: float


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    short_title: str
    instructions: str
    items: tuple[Item, ...]
    scoring: Scoring
    minimum: float
    maximum: float
    higher_is_better: bool
    source: str
    cutoff: float | None = None
    cutoff_meaning: str = ""
    # Partners' latest totals this far apart (or more) are flagged as diverging.
    divergence: float | None = None
    # Any single item this far apart (or more) is flagged as diverging.
    item_divergence: float | None = None
    reliable_change: ReliableChange | None = None
    private: bool = False  # answered alone; never shown to the other partner
    partner_fills_in: bool = True
    counselor_can_enter: bool = True
    citation_required: bool = False
    item_keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "item_keys", tuple(item.key for item in self.items))


def _scale_0_10(
    key: str, short: str, text: str, low: str, high: str, *, may_not_apply: bool = False
) -> Item:
    options = tuple(Option(str(score), score) for score in range(11))
    if may_not_apply:
        options += (Option("Does not apply to us", NOT_APPLICABLE),)
    return Item(
        key=key,
        text=text,
        options=options,
        low_label=low,
        high_label=high,
        short=short,
    )


CHECKIN = Measure(
    key="checkin",
    title="Framework check-in",
    short_title="Check-in",
    instructions=(
        "For each part of your relationship, pick a number from 0 to 10 for how it has been "
        "over the past week. There are no right answers; your first sense is usually best."
    ),
    items=(
        _scale_0_10(
            "communication",
            "Talking and listening",
            "How well do the two of you talk and listen?",
            "Not at all",
            "Very well",
        ),
        _scale_0_10(
            "empathy",
            "Feeling understood",
            "How understood do you feel by your partner?",
            "Not at all",
            "Completely",
        ),
        _scale_0_10(
            "boundaries",
            "Agreements",
            "How well do your agreements about time, money and pausing arguments work?",
            "Not at all",
            "Very well",
        ),
        _scale_0_10(
            "finances",
            "Money",
            "How well do you handle money matters together?",
            "Very badly",
            "Very well",
        ),
        _scale_0_10(
            "parenting",
            "Parenting and family tasks",
            "How well do you share parenting or family tasks?",
            "Very badly",
            "Very well",
            may_not_apply=True,
        ),
        _scale_0_10(
            "commitment",
            "Promises and repair",
            "How reliably do you both keep promises and repair after a fight?",
            "Never",
            "Always",
        ),
        _scale_0_10(
            "closeness",
            "Closeness",
            "Overall, how close do you feel right now?",
            "Distant",
            "Very close",
        ),
    ),
    scoring=Scoring.MEAN,
    minimum=0,
    maximum=10,
    higher_is_better=True,
    item_divergence=4,
    source="Practice's own framework check-in; not a validated instrument.",
)

_HAPPINESS = (
    "Extremely Unhappy",
    "Fairly Unhappy",
    "A Little Unhappy",
    "Happy",
    "Very Happy",
    "Extremely Happy",
    "Perfect",
)
_TRUE = (
    "Not at all TRUE",
    "A little TRUE",
    "Somewhat TRUE",
    "Mostly TRUE",
    "Almost Completely TRUE",
    "Completely TRUE",
)
_AMOUNT = ("Not at all", "A little", "Somewhat", "Mostly", "Almost Completely", "Completely")


def _labelled(labels: tuple[str, ...]) -> tuple[Option, ...]:
    return tuple(Option(label, score) for score, label in enumerate(labels))


CSI4 = Measure(
    key="csi4",
    title="Couples Satisfaction Index (CSI-4)",
    short_title="CSI-4",
    instructions="Please answer each question about your relationship as it is now.",
    items=(
        Item(
            "happiness",
            "Please indicate the degree of happiness, all things considered, of your relationship.",
            _labelled(_HAPPINESS),
        ),
        Item(
            "warm",
            "I have a warm and comfortable relationship with my partner.",
            _labelled(_TRUE),
        ),
        Item(
            "rewarding", "How rewarding is your relationship with your partner?", _labelled(_AMOUNT)
        ),
        Item(
            "satisfied",
            "In general, how satisfied are you with your relationship?",
            _labelled(_AMOUNT),
        ),
    ),
    scoring=Scoring.SUM,
    minimum=0,
    maximum=21,
    higher_is_better=True,
    cutoff=13.5,
    cutoff_meaning="Below 13.5: notable relationship dissatisfaction",
    divergence=5,
    source=(
        "Funk, J. L., & Rogge, R. D. (2007). Testing the ruler with item response theory: "
        "Increasing precision of measurement for relationship satisfaction with the Couples "
        "Satisfaction Index. Journal of Family Psychology, 21(4), 572–583. "
        "doi:10.1037/0893-3200.21.4.572. Free for clinical and research use."
    ),
    citation_required=True,
)

_YES_NO = (Option("No", 0), Option("Yes", 1))

HARK = Measure(
    key="hark",
    title="Private safety check",
    short_title="Safety check",
    instructions=(
        "These four questions are for you alone. Your partner will not see them, your answers, "
        "or whether you answered at all. Within the last year:"
    ),
    items=(
        Item(
            "humiliated",
            "Have you been humiliated or emotionally abused in other ways by your partner or "
            "your ex-partner?",
            _YES_NO,
            short="humiliated or emotionally abused",
        ),
        Item(
            "afraid",
            "Have you been afraid of your partner or ex-partner?",
            _YES_NO,
            short="afraid of partner",
        ),
        Item(
            "raped",
            "Have you been raped or forced to have any kind of sexual activity by your partner "
            "or ex-partner?",
            _YES_NO,
            short="forced sexual activity",
        ),
        Item(
            "kicked",
            "Have you been kicked, hit, slapped or otherwise physically hurt by your partner or "
            "ex-partner?",
            _YES_NO,
            short="physically hurt",
        ),
    ),
    scoring=Scoring.ANY_YES,
    minimum=0,
    maximum=4,
    higher_is_better=False,
    source=(
        "HARK: Sohal, H., Eldridge, S., & Feder, G. (2007). The sensitivity and specificity of "
        "four questions (HARK) to identify intimate partner violence: a diagnostic accuracy "
        "study in general practice. BMC Family Practice, 8:49."
    ),
    private=True,
    counselor_can_enter=False,
    citation_required=True,
)

# Measures shown in the progress view (the safety screen is kept apart on purpose).
# The project's own four-item session scale, written for Practice. It is not the Outcome
# Rating Scale or the Session Rating Scale, whose wording is licensed; it borrows nothing from
# them but the idea of asking after every appointment.
SESSION_SCALE = Measure(
    key="session",
    title="How was today's appointment?",
    short_title="Session rating",
    instructions=(
        "Four quick questions about the appointment, 0 to 10 each. Only your counselor sees "
        "your answers; honest ones help most, especially when something did not work."
    ),
    items=(
        _scale_0_10(
            "heard",
            "Heard",
            "I felt heard and understood.",
            "Not at all",
            "Completely",
        ),
        _scale_0_10(
            "mattered",
            "What mattered",
            "We worked on what matters to me.",
            "Not at all",
            "Completely",
        ),
        _scale_0_10(
            "fits",
            "Approach",
            "The way we are working fits the two of us.",
            "Not at all",
            "Very well",
        ),
        _scale_0_10(
            "overall",
            "Overall",
            "Overall, today's appointment was…",
            "Not helpful",
            "Very helpful",
        ),
    ),
    scoring=Scoring.MEAN,
    minimum=0,
    maximum=10,
    higher_is_better=True,
    source="Session rating: the project's own measure, written for Practice (not the ORS or SRS).",
    private=True,
    counselor_can_enter=False,
)

PROGRESS_MEASURES: tuple[Measure, ...] = (CHECKIN, CSI4)
MEASURES: dict[str, Measure] = {m.key: m for m in (CHECKIN, CSI4, HARK, SESSION_SCALE)}
