"""A SYNTHETIC review-level extract consistent with the published totals: NOT case data.

The 2014-17 triennial analysis published only aggregates. `reconstruct` builds a
demonstration extract of the 368 reviews, one row per review in the codebook's
fields and clean codes (data/raw/extracts/codebook.schema.json), whose counts
reproduce every published review-level figure. Every row is invented: no row
describes a real child or review, and any relation between fields that was never
published (which boys died, which reports noted poverty together with drug misuse)
is an artefact of the rules below. Use it to exercise the pipeline, never to
estimate anything the published tables do not already say.

Public API: `reconstruct(figures)`, the extract; `published_constraints(figures)`,
what it must reproduce (`Constraint`); `check(extract, figures)`, each constraint
recomputed directly from an extract; `CONFLICTS`, published figures that cannot
all hold at once (`Conflict`). None has been found, so the list is empty and every
constraint holds in `reconstruct`'s output.

Every target is read from the published figures by row_id. Typed here are only
structural facts (the codebook's age bands and codes, the analysis period, the
ages 14 to 17 quoted for the criminal exploitation cases) and the assumptions
named below. The numbers quoted in brackets are what the rules give with the
current figures.

Spreading. "Pick k of these rows by <fields>" (`_pick`) always means: share k
over the groups of those fields in proportion to group size (largest remainder,
ties to the group that sorts first), then take rows evenly spaced in review-id
order within each group (`_evenly`). So whatever is not published is spread as if
unrelated to the grouping fields, and evenly over time.

Choices within a published range take its midpoint, rounded down (`_midpoint`);
for the two-count ranges of Table 4 and the neglect paragraph that is the lower
count. This gives boys 198 (197-200); social care current 202 (201-204), closed 81
(80-82), never known 59 (58-60), the other 26 not_recorded; living at home 305
(304-307), with relatives 7 (6-9), with foster carers 14 (13-16), residential 14
(13-16), the other 28 not_recorded, as the briefing does not describe them;
neglect the primary issue in 30 serious harm reviews (30-31); neglect reports
with no Table 4 adversity 22 (22-23) and with at least three 87 (87-88); every
Table 4 count at its lower end (domestic abuse 133, ..., social isolation 35).

Ethnicity. "Between 72 and 80 per cent white" is read, like every printed
percentage in the project, with each end as printed (71.5 to 80.5 per cent of the
368: 264-296 reviews); the midpoint rule gives 280 white (76.1 per cent). The
other 88 are shared in proportion to `OTHER_ETHNIC_GROUPS`, rough shares of
England's children in the 2011 Census (an assumption): mixed 20, Asian 40,
black 20, other 8; none not_recorded.

Age. The midpoints of the five age ranges sum to 362, not 368, so bands follow
the printed percentages instead: the printed 115 aged 11 or over is split 17:14
between 11-15 and 16+, and the other 253 42:21:5 between under 1, 1-5 and 6-10,
by largest remainder (156, 78, 19, 63, 52, each inside its range). The reports in
each band are exactly Table 3's N's. Ages run evenly through each band's months;
the j-th review of a band in date order takes the age ranked like the j-th term
of the van der Corput sequence, so ages do not drift over the period.

Sex. Boys predominate to age 10 and girls from 11: in each adolescent band boys
are the most that still leaves girls a majority, (n - 1) // 2 (31 of 63, 25 of
52); the other 142 boys are under 11 (56 per cent of them). CSE goes to girls
first; the four criminal exploitation cases are boys.

Outcome. The 65 adolescent and 141 younger deaths are spread by age band and
report status. The 78 direct deaths are split between adolescents and younger
children in proportion to their deaths (25 and 53); so 47 - 25 = 22 adolescent
deaths are related and 18 other; the younger children's 88 other deaths are
split related:other in the adolescents' ratio 22:18 (48 and 40), the only split
printed.

Criminal exploitation. The 4 cases are boys aged 14 to 17 with a report who
died: the briefing says three died from stab wounds and one by suicide (the
extract has no cause-of-death field, so only "at least 3 died" is checked). They
are coded maltreatment-related deaths with risk-taking/violent behaviour as the
primary harm.

Plans. The 84 children "for whom data were available" are taken to be the plans
of reviews with a report: 84 of the 110 plans fall among the 278 reports (current
and past in the ratio 54:56: 41 and 43) and the other 26 among the 90 reviews
without one, whose category is not_recorded. Neglect is the category of 50 plans,
placed first on reports noting neglect; the other 34 go round-robin to emotional,
physical, multiple and sexual abuse, roughly their national order (9, 9, 8, 8).
No cp_plan is not_recorded.

Social care. A current plan, foster care or a residential placement means
current involvement, a past plan current or previously known involvement;
not_recorded (social care and where the child lived) goes first to reviews
without a report, whose notification is then the only source. Residential
placements go to adolescents.

Tables 1, 2 and 4. The 208 neglect reports get none, one or two, or three or more
of the nine Table 4 adversities (parental alcohol or drug misuse counting as
one), with counts as even as possible given the column totals: all 99 in the
middle group have 2 and, of the 87 with three or more, 86 have 6 and one 5 (the
totals force an average of six). The columns are then realised by the Gale-Ryser
greedy (`_realise`). The other 70 reports take the rest of each Table 1/2 total,
with counts as even as possible (2 or 3 each). Parental alcohol and drug misuse
(99 each) are each split between neglect and other reports in proportion to their
numbers (74 and 25); in the neglect reports they must cover Table 4's 81, so 67
note both; in the other reports drug misuse is on the alcohol reports (25 both).
The figures force a large overlap: 99 + 99 noted but at most 81 + 70 reports with
either. Intellectual disability and separation are spread by neglect; violent
crime and acrimonious separation are placed within criminal record and separation.

Table 3. Each printed cell is filled among that band's reports, spread by outcome
and by the characteristic placed before it, so that no two characteristics
coincide; cells printed '-' are not_applicable.

Primary harm is published only as neglect among serious harm; the rest follows
an assumed rule (`_primary_harm`): physical abuse for younger children's serious
harm (sexual abuse at 6-10), CSE or else risk-taking/violent behaviour for
adolescents' serious harm (the briefing's two commonest causes), physical abuse
for direct deaths, neglect for younger children's related deaths, other otherwise.

Review ids R001-R368 are in notification order; dates run evenly through
1 April 2014 to 31 March 2017, the age bands interleaved evenly over them; the
qualitative sample and review methods are spread evenly; coders take turns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd

from triennial.stats.rounding import numerator_range

FIELDS = [
    "review_id",
    "coding_round",
    "coder",
    "review_type",
    "notification_date",
    "report_status",
    "qualitative_sample",
    "outcome",
    "death_maltreatment",
    "child_sex",
    "age_months",
    "age_band",
    "ethnicity",
    "living_situation",
    "social_care",
    "cp_plan",
    "cp_plan_category",
    "review_method",
    "primary_harm",
    "parental_alcohol_misuse",
    "parental_drug_misuse",
    "parental_mental_health",
    "parental_adverse_childhood_experiences",
    "parental_intellectual_disability",
    "parental_criminal_record",
    "parental_violent_crime",
    "parental_separation",
    "parental_separation_acrimonious",
    "domestic_abuse",
    "social_isolation",
    "transient_lifestyle",
    "multiple_partners",
    "poverty",
    "child_disability",
    "child_behaviour_problems",
    "child_alcohol_misuse",
    "child_drug_misuse",
    "child_mental_health",
    "child_bullying",
    "child_sexual_exploitation",
    "neglect_feature",
    "child_criminal_exploitation",
]
CHECK_COLUMNS = ["constraint", "row_id", "target", "value", "holds", "note"]

# Structural facts from the codebook: completed months of each age band.
BANDS = {
    "under_1": (0, 11),
    "1_to_5": (12, 71),
    "6_to_10": (72, 131),
    "11_to_15": (132, 191),
    "16_plus": (192, 215),
}
YOUNGER = ("under_1", "1_to_5", "6_to_10")
OLDER = ("11_to_15", "16_plus")
PERIOD = (date(2014, 4, 1), date(2017, 3, 31))
CODERS = ("AB", "CD", "EF")
# "adolescent males aged 14 to 17" (adol_criminal_exploitation's quote), in months.
EXPLOITATION_AGE = (14 * 12, 17 * 12 + 11)
# Assumed weights for the ethnic groups other than white: rough shares (per cent)
# of England's children in the 2011 Census. Not a published figure.
OTHER_ETHNIC_GROUPS = {"mixed": 5, "asian": 10, "black": 5, "other": 2}
# Categories of a plan other than neglect, in roughly their national order.
OTHER_PLAN_CATEGORIES = ("emotional_abuse", "physical_abuse", "multiple", "sexual_abuse")
KNOWN_PLAN_CATEGORIES = ("neglect", *OTHER_PLAN_CATEGORIES)

AVAILABLE, NOTED, NOT_NOTED, NA = "available", "noted", "not_noted", "not_applicable"
NOT_RECORDED, DEATH, SERIOUS_HARM = "not_recorded", "death", "serious_harm"
PLAN = ("current", "past")

TABLE_1_2 = {
    "t1_alcohol_misuse": "parental_alcohol_misuse",
    "t1_drug_misuse": "parental_drug_misuse",
    "t1_mental_health": "parental_mental_health",
    "t1_adverse_childhood_experiences": "parental_adverse_childhood_experiences",
    "t1_intellectual_disability": "parental_intellectual_disability",
    "t1_criminal_record": "parental_criminal_record",
    "t1_violent_crime": "parental_violent_crime",
    "t2_parental_separation": "parental_separation",
    "t2_separation_acrimonious": "parental_separation_acrimonious",
    "t2_domestic_abuse": "domestic_abuse",
    "t2_social_isolation": "social_isolation",
    "t2_transient_lifestyle": "transient_lifestyle",
    "t2_multiple_partners": "multiple_partners",
    "t2_poverty": "poverty",
}
ALCOHOL, DRUG = "parental_alcohol_misuse", "parental_drug_misuse"
# Table 4 counts parental alcohol or drug misuse as one adversity.
SUBSTANCE = "parental_alcohol_or_drug_misuse"
TABLE_4 = {
    "t4_domestic_abuse": "domestic_abuse",
    "t4_parental_mental_health": "parental_mental_health",
    "t4_parental_adverse_childhood_experiences": "parental_adverse_childhood_experiences",
    "t4_poverty": "poverty",
    "t4_parental_substance_misuse": SUBSTANCE,
    "t4_parental_criminal_behaviour": "parental_criminal_record",
    "t4_transient_lifestyle": "transient_lifestyle",
    "t4_multiple_partners": "multiple_partners",
    "t4_social_isolation": "social_isolation",
}
# The neglect paragraph's groups: no adversity, one or two, at least three.
FEW, MANY = 2, 3
TABLE_3 = {
    "disability": "child_disability",
    "behaviour": "child_behaviour_problems",
    "alcohol": "child_alcohol_misuse",
    "drug": "child_drug_misuse",
    "mental_health": "child_mental_health",
    "bullying": "child_bullying",
    "cse": "child_sexual_exploitation",
}
TABLE_5 = {
    "t5_traditional": "traditional_imr_chronology",
    "t5_scie": "scie_learning_together",
    "t5_silp": "silp",
    "t5_welsh": "welsh_child_practice_review",
    "t5_hybrid": "hybrid_or_unspecified_systems",
    "t5_unclear": "unclear",
    "t5_other": "other",
}
LIVED = {
    "key_lived_home": "home",
    "key_lived_relatives": "relatives",
    "key_lived_foster": "foster_carers",
    "key_lived_residential": "residential",
}
SOCIAL_CARE = {
    "key_social_care_current": "current",
    "key_social_care_closed": "previously_known_closed",
    "key_social_care_never": "never_known",
}


@dataclass(frozen=True)
class Conflict:
    """Published figures that cannot all hold in one extract, and why."""

    row_ids: tuple[str, ...]
    why: str


# None found: see the module docstring. `check` notes any listed here on their rows.
CONFLICTS: list[Conflict] = []


@dataclass(frozen=True)
class Constraint:
    """A count the extract must reproduce: `low <= count(extract) <= high`."""

    name: str
    row_id: str
    low: int
    high: int
    count: Callable[[pd.DataFrame], int]
    note: str = ""

    @property
    def target(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


# --- reading the figures -------------------------------------------------------


def _exact(fig: pd.DataFrame, row_id: str) -> int:
    """The printed (or derived) count of a figure; an error if only a range exists."""
    value = fig.at[row_id, "numerator"]
    if pd.isna(value):
        raise ValueError(f"{row_id}: no exact count is published")
    return int(value)


def _bounds(fig: pd.DataFrame, row_id: str) -> tuple[int, int]:
    """Smallest and largest count a figure allows (equal when the count is printed)."""
    value = fig.at[row_id, "numerator"]
    if pd.notna(value):
        return int(value), int(value)
    return int(fig.at[row_id, "numerator_min"]), int(fig.at[row_id, "numerator_max"])


def _midpoint(fig: pd.DataFrame, row_id: str) -> int:
    """The one rule for a choice within a published range: its midpoint, rounded down."""
    low, high = _bounds(fig, row_id)
    return (low + high) // 2


def _percent_range_bounds(fig: pd.DataFrame, row_id: str, total: int) -> tuple[int, int]:
    """Counts of `total` inside a printed 'a to b per cent', each end read as printed.

    Like every printed percentage in the project, 'a' stands for a - 0.5 and 'b'
    for b + 0.5 (see `rounding.numerator_range`).
    """
    low = numerator_range(f"{fig.at[row_id, 'value_low']:g}", total)[0]
    high = numerator_range(f"{fig.at[row_id, 'value_high']:g}", total)[1]
    return low, high


def _percent(fig: pd.DataFrame, row_id: str) -> Fraction:
    return Fraction(str(fig.at[row_id, "percent_printed"]))


# --- spreading counts over rows --------------------------------------------------


def _apportion(total: int, weights: Sequence) -> list[int]:
    """Split `total` in proportion to `weights` by largest remainder.

    Exact arithmetic (fractions), so ties are real ties; they go to the earlier weight.
    """
    weights = [Fraction(w) for w in weights]
    whole = sum(weights)
    if whole == 0:
        if total:
            raise ValueError(f"cannot split {total} over zero weights")
        return [0] * len(weights)
    quotas = [total * w / whole for w in weights]
    shares = [q.numerator // q.denominator for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (shares[i] - quotas[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _evenly(size: int, count: int) -> np.ndarray:
    """`count` of `size` positions as evenly spaced as possible: floor((j + 1/2) size / count)."""
    if not 0 <= count <= size:
        raise ValueError(f"cannot pick {count} of {size}")
    picked = np.zeros(size, dtype=bool)
    if count:
        picked[(2 * np.arange(count) + 1) * size // (2 * count)] = True
    return picked


def _even_split(total: int, n: int) -> np.ndarray:
    """`n` whole numbers summing to `total` that differ by at most one; the larger spread evenly."""
    base, extra = divmod(total, n)
    return base + _evenly(n, extra).astype(int)


def _spread(frame: pd.DataFrame, eligible: pd.Series, count: int, by: Sequence[str]) -> pd.Series:
    """`count` eligible rows, shared over the groups of `by` and evenly within each."""
    pool = frame[eligible]
    if count > len(pool):
        raise ValueError(f"cannot pick {count} of {len(pool)} rows")
    groups = [g.index for _, g in pool.groupby(list(by), sort=True)] if by else [pool.index]
    picked = pd.Series(False, index=frame.index)
    for rows, k in zip(groups, _apportion(count, [len(g) for g in groups]), strict=True):
        picked[rows[_evenly(len(rows), k)]] = True
    return picked


def _pick(
    frame: pd.DataFrame,
    eligible: pd.Series,
    count: int,
    by: Sequence[str] = (),
    first: pd.Series | None = None,
) -> pd.Series:
    """Mark `count` of the `eligible` rows: see "Spreading" in the module docstring.

    `first`: rows taken before any others (all of them if `count` allows), which
    both forces rows in and expresses a preference.
    """
    if first is None:
        return _spread(frame, eligible, count, by)
    head = eligible & first
    if count <= head.sum():
        return _spread(frame, head, count, by)
    return head | _spread(frame, eligible & ~head, count - int(head.sum()), by)


def _assign(
    frame: pd.DataFrame,
    eligible: pd.Series,
    counts: dict[str, int],
    by: Sequence[str] = (),
    first: dict[str, pd.Series] | None = None,
    otherwise: str | None = None,
) -> pd.Series:
    """Give each code its count of the eligible rows, code by code in the given order.

    Every eligible row must get a code; rows not eligible get `otherwise`.
    """
    first = first or {}
    codes = pd.Series(otherwise, index=frame.index, dtype=object)
    left = eligible.copy()
    for code, count in counts.items():
        chosen = _pick(frame, left, count, by, first.get(code))
        codes[chosen] = code
        left &= ~chosen
    if left.any():
        raise ValueError(f"{int(left.sum())} rows left without a code after {list(counts)}")
    return codes


def _noted(flag: pd.Series, applies: pd.Series) -> pd.Series:
    """noted / not_noted where the item applies, not_applicable elsewhere."""
    return pd.Series(np.where(applies, np.where(flag, NOTED, NOT_NOTED), NA), index=flag.index)


def _realise(row_sums: pd.Series, col_sums: dict[str, int]) -> pd.DataFrame:
    """A 0/1 matrix with the given row and column sums, by the Gale-Ryser greedy.

    Columns are filled in decreasing order of their sums (ties in the given order),
    each into the rows with the largest remaining row sums, ties to the earlier
    row. This succeeds whenever any such matrix exists (Ryser); raises otherwise.
    """
    left = row_sums.to_numpy().copy()
    position = np.arange(len(left))
    cells = {}
    for column in sorted(col_sums, key=lambda c: -col_sums[c]):
        rows = np.lexsort((position, -left))[: col_sums[column]]
        if col_sums[column] > len(left) or (left[rows] <= 0).any():
            raise ValueError(f"no 0/1 matrix has these sums (column {column})")
        cells[column] = np.isin(position, rows)
        left[rows] -= 1
    if left.any():
        raise ValueError("no 0/1 matrix has these sums (row sums left over)")
    return pd.DataFrame(cells, index=row_sums.index)[list(col_sums)]


def _split_union(rows: pd.Index, first: int, second: int) -> tuple[pd.Index, pd.Index]:
    """Two items on `first` and `second` of `rows`, which must be exactly their union.

    The forced overlap first + second - len(rows) is spread evenly; the rows with
    one item are shared out evenly between the two.
    """
    n = len(rows)
    if not max(first, second) <= n <= first + second:
        raise ValueError(f"{first} and {second} cannot have a union of {n}")
    both = _evenly(n, first + second - n)
    single = np.flatnonzero(~both)
    has_first = both.copy()
    has_first[single[_evenly(len(single), first - (first + second - n))]] = True
    return rows[has_first], rows[both | ~has_first]


# --- the extract, step by step -----------------------------------------------------


def _band_counts(fig: pd.DataFrame) -> dict[str, int]:
    """Reviews per age band: see "Age bands" in the module docstring."""
    older = _exact(fig, "adol_aged_11_plus")
    younger = _exact(fig, "flow_notified") - older
    counts = {}
    for total, bands in ((younger, YOUNGER), (older, OLDER)):
        weights = [_percent(fig, f"key_age_{band}") for band in bands]
        counts |= dict(zip(bands, _apportion(total, weights), strict=True))
    for band, n in counts.items():
        low, high = _bounds(fig, f"key_age_{band}")
        if not low <= n <= high:
            raise ValueError(f"age band {band}: {n} reviews, outside {low}-{high}")
    return counts


def _van_der_corput(j: int) -> Fraction:
    """Term j of the base-2 van der Corput sequence (0, 1/2, 1/4, 3/4, 1/8, ...).

    j's binary digits mirrored after the point: every prefix fills [0, 1) evenly.
    """
    value, scale = Fraction(0), Fraction(1, 2)
    while j:
        value += scale * (j & 1)
        j, scale = j >> 1, scale / 2
    return value


def _ages(band: str, n: int) -> list[int]:
    """Completed months of a band's n reviews, in date order.

    The n ages run evenly through the band's months; the j-th review in date order
    takes the age ranked like the j-th van der Corput term, so that ages neither
    rise nor fall over the period.
    """
    low, high = BANDS[band]
    ages = [0] * n
    for rank, j in enumerate(sorted(range(n), key=_van_der_corput)):
        ages[j] = low + (2 * rank + 1) * (high - low + 1) // (2 * n)
    return ages


def _skeleton(fig: pd.DataFrame) -> pd.DataFrame:
    """Ids, dates, coders and ages: bands interleaved evenly over the period."""
    counts = _band_counts(fig)
    # Review j of a band of n sits at (j + 1/2) / n of the period; number them in that order.
    slots = sorted(
        (Fraction(2 * j + 1, 2 * n), order, band, j)
        for order, (band, n) in enumerate(counts.items())
        for j in range(n)
    )
    total = len(slots)
    days = (PERIOD[1] - PERIOD[0]).days + 1
    ages = {band: _ages(band, n) for band, n in counts.items()}
    return pd.DataFrame(
        {
            "review_id": [f"R{i + 1:03d}" for i in range(total)],
            "coding_round": 1,
            "coder": [CODERS[i % len(CODERS)] for i in range(total)],
            "review_type": "scr",
            "notification_date": [
                (PERIOD[0] + timedelta(days=i * days // total)).isoformat() for i in range(total)
            ],
            "age_months": np.array([ages[band][j] for _, _, band, j in slots], dtype="int64"),
            "age_band": [band for _, _, band, _ in slots],
        }
    )


def _report_status(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Table 3's N per band are the available reports; not-published spread by band."""
    available = pd.Series(False, index=r.index)
    for band in BANDS:
        available |= _pick(r, r["age_band"] == band, _exact(fig, f"t3_n_{band}"))
    unpublished = _pick(r, ~available, _exact(fig, "flow_not_published"), by=["age_band"])
    return pd.Series(
        np.select([available, unpublished], [AVAILABLE, "not_published"], "not_completed"),
        index=r.index,
    )


def _deaths(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Adolescent and younger deaths, each spread by age band and report status."""
    older = r["age_band"].isin(OLDER)
    older_deaths = _exact(fig, "adol_deaths")
    by = ["age_band", "report_status"]
    return _pick(r, older, older_deaths, by) | _pick(
        r, ~older, _exact(fig, "key_deaths") - older_deaths, by
    )


def _criminal_exploitation(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """The analysed cases: adolescents aged 14-17 with a report who died."""
    eligible = (
        (r["report_status"] == AVAILABLE)
        & (r["outcome"] == DEATH)
        & r["age_months"].between(*EXPLOITATION_AGE)
    )
    return _pick(r, eligible, _exact(fig, "adol_criminal_exploitation"))


def _death_maltreatment(r: pd.DataFrame, fig: pd.DataFrame, cce: pd.Series) -> pd.Series:
    """Direct / related / other for deaths: see "Outcome" in the module docstring."""
    deaths = r["outcome"] == DEATH
    older = deaths & r["age_band"].isin(OLDER)
    younger = deaths & ~older
    direct_older, direct_younger = _apportion(
        _exact(fig, "key_deaths_direct"), [older.sum(), younger.sum()]
    )
    related_or_direct = _exact(fig, "adol_deaths_maltreatment")
    related_older = related_or_direct - direct_older
    other_older = int(older.sum()) - related_or_direct
    related_younger, other_younger = _apportion(
        int(younger.sum()) - direct_younger, [related_older, other_older]
    )
    by = ["age_band", "report_status"]
    codes = _assign(
        r,
        older,
        {"related": related_older, "direct": direct_older, "other": other_older},
        by,
        first={"related": cce},
        otherwise=NA,
    )
    young = _assign(
        r,
        younger,
        {"direct": direct_younger, "related": related_younger, "other": other_younger},
        by,
    )
    return codes.where(~younger, young)


def _child_sex(r: pd.DataFrame, fig: pd.DataFrame, cce: pd.Series) -> pd.Series:
    """Boys at the midpoint; in each adolescent band girls the smallest possible majority."""
    by = ["age_band", "report_status", "outcome"]
    younger = r["age_band"].isin(YOUNGER)
    male = pd.Series(False, index=r.index)
    for band in OLDER:
        in_band = r["age_band"] == band
        male |= _pick(r, in_band, (int(in_band.sum()) - 1) // 2, by, first=cce)
    return pd.Series(
        np.where(
            male | _pick(r, younger, _midpoint(fig, "key_boys") - int(male.sum()), by),
            "male",
            "female",
        ),
        index=r.index,
    )


def _ethnicity(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """White at the midpoint of the printed range; the rest by `OTHER_ETHNIC_GROUPS`."""
    low, high = _percent_range_bounds(fig, "key_ethnicity_white", len(r))
    white = (low + high) // 2
    others = _apportion(len(r) - white, list(OTHER_ETHNIC_GROUPS.values()))
    counts = {"white": white} | dict(zip(OTHER_ETHNIC_GROUPS, others, strict=True))
    return _assign(r, pd.Series(True, index=r.index), counts, by=["age_band"])


def _living_situation(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Midpoints; residential care for adolescents; not_recorded first without a report."""
    counts = {code: _midpoint(fig, rid) for rid, code in LIVED.items()}
    residential = _pick(r, r["age_band"].isin(OLDER), counts.pop("residential"), by=["age_band"])
    rest = {
        "foster_carers": counts["foster_carers"],
        "relatives": counts["relatives"],
        NOT_RECORDED: len(r) - int(residential.sum()) - sum(counts.values()),
        "home": counts["home"],
    }
    no_report = r["report_status"] != AVAILABLE
    codes = _assign(r, ~residential, rest, by=["age_band"], first={NOT_RECORDED: no_report})
    return codes.where(~residential, "residential")


def _cp_plan(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Plans of reviews with a report are the plans whose category is known (the
    denominator of neg_cp_plan_neglect); current and past shared in proportion."""
    current, past = _exact(fig, "key_cp_plan_current"), _exact(fig, "key_cp_plan_past")
    known = int(fig.at["neg_cp_plan_neglect", "denominator"])
    current_known, past_known = _apportion(known, [current, past])
    available = r["report_status"] == AVAILABLE
    with_report = {"current": current_known, "past": past_known}
    without = {"current": current - current_known, "past": past - past_known}
    codes = _assign(
        r,
        available,
        with_report | {"never": int(available.sum()) - known},
        by=["age_band", "outcome"],
    )
    rest = int((~available).sum()) - sum(without.values())
    return codes.where(available, _assign(r, ~available, without | {"never": rest}, ["age_band"]))


def _cp_plan_category(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Neglect as published (reports noting neglect first), other categories round-robin."""
    known = (r["cp_plan"].isin(PLAN)) & (r["report_status"] == AVAILABLE)
    neglect = _exact(fig, "neg_cp_plan_neglect")
    others = _apportion(int(known.sum()) - neglect, [1] * len(OTHER_PLAN_CATEGORIES))
    counts = {"neglect": neglect} | dict(zip(OTHER_PLAN_CATEGORIES, others, strict=True))
    codes = _assign(
        r, known, counts, ["age_band"], first={"neglect": r["neglect_feature"] == NOTED}
    )
    unknown = r["cp_plan"].isin(PLAN) & ~known
    return codes.where(~unknown, NOT_RECORDED).where(r["cp_plan"].isin(PLAN), NA)


def _social_care(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Midpoints, keeping plans and placements consistent with involvement."""
    counts = {code: _midpoint(fig, rid) for rid, code in SOCIAL_CARE.items()}
    by = ["age_band", "report_status"]
    everyone = pd.Series(True, index=r.index)
    in_care = r["living_situation"].isin(["foster_carers", "residential"])
    current = _pick(r, everyone, counts["current"], by, first=(r["cp_plan"] == "current") | in_care)
    closed = _pick(r, ~current, counts["previously_known_closed"], by, first=r["cp_plan"] == "past")
    unrecorded = _pick(
        r,
        ~current & ~closed,
        len(r) - sum(counts.values()),
        ["age_band"],
        first=r["report_status"] != AVAILABLE,
    )
    return pd.Series(
        np.select(
            [current, closed, unrecorded],
            ["current", "previously_known_closed", NOT_RECORDED],
            "never_known",
        ),
        index=r.index,
    )


def _adversity_counts(r: pd.DataFrame, fig: pd.DataFrame, total: int) -> pd.Series:
    """How many Table 4 adversities each neglect review has: see the module docstring."""
    neglect = r["neglect_feature"] == NOTED
    none = _pick(r, neglect, _midpoint(fig, "neg_no_adversity"), ["age_band"])
    many = _pick(r, neglect & ~none, _midpoint(fig, "neg_three_plus_adversities"), ["age_band"])
    few = neglect & ~none & ~many
    n_few, n_many = int(few.sum()), int(many.sum())
    # As many as possible in the 1-2 group keeps the 3+ group as low as the totals allow.
    few_total = min(FEW * n_few, total - MANY * n_many)
    many_total = total - few_total
    if few_total < n_few or many_total > len(TABLE_4) * n_many:
        raise ValueError("the Table 4 totals do not fit the published adversity groups")
    counts = pd.Series(0, index=r.index)
    counts[few] = _even_split(few_total, n_few)
    counts[many] = _even_split(many_total, n_many)
    return counts[neglect]


def _family_adversities(r: pd.DataFrame, fig: pd.DataFrame) -> pd.DataFrame:
    """Tables 1 and 2 over the reports, Table 4 and its adversity groups within neglect.

    Returns one boolean column per Table 1/2 field (False without a report).
    """
    available = r["report_status"] == AVAILABLE
    neglect = r["neglect_feature"] == NOTED
    other = available & ~neglect
    totals = {field: _exact(fig, rid) for rid, field in TABLE_1_2.items()}
    in_neglect = {field: _midpoint(fig, rid) for rid, field in TABLE_4.items()}
    sizes = [int(neglect.sum()), int(other.sum())]
    alcohol_neglect, alcohol_other = _apportion(totals[ALCOHOL], sizes)
    drug_neglect, drug_other = _apportion(totals[DRUG], sizes)
    # In the other reports drug misuse sits on the alcohol reviews: the union is the larger.
    in_other = {
        field: (max(alcohol_other, drug_other) if field == SUBSTANCE else totals[field] - n)
        for field, n in in_neglect.items()
    }
    other_counts = pd.Series(_even_split(sum(in_other.values()), sizes[1]), index=r.index[other])
    grid = pd.concat(
        [
            _realise(_adversity_counts(r, fig, sum(in_neglect.values())), in_neglect),
            _realise(other_counts, in_other),
        ]
    ).reindex(r.index, fill_value=False)

    flags = grid.drop(columns=SUBSTANCE).assign(**{ALCOHOL: False, DRUG: False})
    for group, alcohol, drug in (
        (neglect, alcohol_neglect, drug_neglect),
        (other, alcohol_other, drug_other),
    ):
        rows = r.index[group & grid[SUBSTANCE]]
        with_alcohol, with_drug = _split_union(rows, alcohol, drug)
        flags.loc[with_alcohol, ALCOHOL] = True
        flags.loc[with_drug, DRUG] = True

    by = ["neglect_feature"]
    for field in ("parental_intellectual_disability", "parental_separation"):
        flags[field] = _pick(r, available, totals[field], by)
    flags["parental_violent_crime"] = _pick(
        r, flags["parental_criminal_record"], totals["parental_violent_crime"], by
    )
    flags["parental_separation_acrimonious"] = _pick(
        r, flags["parental_separation"], totals["parental_separation_acrimonious"], by
    )
    return flags[list(TABLE_1_2.values())]


def _child_characteristics(r: pd.DataFrame, fig: pd.DataFrame) -> pd.DataFrame:
    """Table 3 cell by cell; each characteristic spread by the one placed before it."""
    work = r.copy()
    available = r["report_status"] == AVAILABLE
    female = r["child_sex"] == "female"
    for field in TABLE_3.values():
        work[field] = NA
    for band in BANDS:
        in_band = available & (r["age_band"] == band)
        previous = []
        for item, field in TABLE_3.items():
            row_id = f"t3_{item}_{band}"
            if fig.at[row_id, "count_status"] == NA:
                continue
            first = female if field == "child_sexual_exploitation" else None
            noted = _pick(work, in_band, _exact(fig, row_id), ["outcome", *previous], first)
            work.loc[in_band, field] = np.where(noted[in_band], NOTED, NOT_NOTED)
            previous = [field]
    return work[list(TABLE_3.values())]


def _primary_harm(r: pd.DataFrame, fig: pd.DataFrame, cce: pd.Series) -> pd.Series:
    """Neglect for the published share of serious harm; otherwise an assumed rule."""
    harm = r["outcome"] == SERIOUS_HARM
    older = r["age_band"].isin(OLDER)
    cse = r["child_sexual_exploitation"] == NOTED
    dm = r["death_maltreatment"]
    neglect_first = harm & ~older & (r["neglect_feature"] == NOTED)
    neglect = _pick(r, neglect_first, _midpoint(fig, "neg_primary_serious_harm"), ["age_band"])
    rules = [
        (neglect, "neglect"),
        (harm & older & cse, "child_sexual_exploitation"),
        (harm & older, "risk_taking_or_violent_behaviour"),
        (harm & (r["age_band"] == "6_to_10"), "sexual_abuse"),
        (harm, "physical_abuse"),
        (cce, "risk_taking_or_violent_behaviour"),
        (dm == "direct", "physical_abuse"),
        ((dm == "related") & ~older, "neglect"),
        ((dm == "related") & cse, "child_sexual_exploitation"),
    ]
    conditions, codes = zip(*rules, strict=True)
    return pd.Series(np.select(list(conditions), list(codes), "other"), index=r.index)


def reconstruct(figures: pd.DataFrame) -> pd.DataFrame:
    """The synthetic extract: one row per review, the codebook's fields in its order.

    `figures` is the clean published table (`published.clean`). See the module
    docstring: consistent with the published totals, NOT case data.
    """
    fig = figures.set_index("row_id")
    r = _skeleton(fig)
    r["report_status"] = _report_status(r, fig)
    available = r["report_status"] == AVAILABLE
    sample = _pick(r, available, _exact(fig, "flow_qualitative_sample"), ["age_band"])
    r["qualitative_sample"] = np.where(available, np.where(sample, "yes", "no"), NA)
    r["outcome"] = np.where(_deaths(r, fig), DEATH, SERIOUS_HARM)
    cce = _criminal_exploitation(r, fig)
    r["death_maltreatment"] = _death_maltreatment(r, fig, cce)
    r["child_sex"] = _child_sex(r, fig, cce)
    r["ethnicity"] = _ethnicity(r, fig)
    r["living_situation"] = _living_situation(r, fig)
    neglect = _pick(r, available, _exact(fig, "neg_feature"), ["age_band", "outcome"])
    r["neglect_feature"] = _noted(neglect, available)
    r["cp_plan"] = _cp_plan(r, fig)
    r["cp_plan_category"] = _cp_plan_category(r, fig)
    r["social_care"] = _social_care(r, fig)
    methods = {code: _exact(fig, rid) for rid, code in TABLE_5.items()}
    r["review_method"] = _assign(r, available, methods, otherwise=NA)
    for field, flag in _family_adversities(r, fig).items():
        r[field] = _noted(flag, available)
    r = r.join(_child_characteristics(r, fig))
    r["primary_harm"] = _primary_harm(r, fig, cce)
    r["child_criminal_exploitation"] = _noted(cce, available)
    return r[FIELDS].astype({f: "str" for f in FIELDS if f not in ("coding_round", "age_months")})


# --- what the extract must reproduce ------------------------------------------------


def _counting(**codes: str | tuple[str, ...]) -> Callable[[pd.DataFrame], int]:
    """A counter of the rows whose every named field holds one of the given codes."""

    def count(extract: pd.DataFrame) -> int:
        mask = pd.Series(True, index=extract.index)
        for field, allowed in codes.items():
            mask &= extract[field].isin([allowed] if isinstance(allowed, str) else allowed)
        return int(mask.sum())

    return count


def _adversity_groups(low: int, high: int) -> Callable[[pd.DataFrame], int]:
    """Counter of neglect reports with between `low` and `high` Table 4 adversities."""

    def count(extract: pd.DataFrame) -> int:
        reports = extract[
            (extract["report_status"] == AVAILABLE) & (extract["neglect_feature"] == NOTED)
        ]
        noted = reports == NOTED
        substance = noted[ALCOHOL] | noted[DRUG]
        singles = [f for f in TABLE_4.values() if f != SUBSTANCE]
        n = noted[singles].sum(axis=1) + substance
        return int(n.between(low, high).sum())

    return count


def _neglect_substance(extract: pd.DataFrame) -> int:
    reports = extract[
        (extract["report_status"] == AVAILABLE) & (extract["neglect_feature"] == NOTED)
    ]
    return int(((reports[ALCOHOL] == NOTED) | (reports[DRUG] == NOTED)).sum())


def _exploited_boys_14_to_17(extract: pd.DataFrame) -> int:
    return int(
        (
            (extract["child_criminal_exploitation"] == NOTED)
            & (extract["child_sex"] == "male")
            & extract["age_months"].between(*EXPLOITATION_AGE)
        ).sum()
    )


def _plan_without_current_care(extract: pd.DataFrame) -> int:
    return int(((extract["cp_plan"] == "current") & (extract["social_care"] != "current")).sum())


def published_constraints(figures: pd.DataFrame) -> list[Constraint]:
    """Every review-level count the published figures fix, with its target read from them.

    Rates a year (the same counts over three years) and figures about other periods
    or about cases analysed in depth beyond the four exploitation cases are not
    review-level constraints and are left out.
    """
    fig = figures.set_index("row_id")
    rep = {"report_status": AVAILABLE}
    neg = rep | {"neglect_feature": NOTED}
    older = {"age_band": OLDER}
    out: list[Constraint] = []

    def add(name: str, row_id: str, count, bounds=None, note: str = "") -> None:
        low, high = bounds if bounds is not None else _bounds(fig, row_id)
        out.append(Constraint(name, row_id, low, high, count, note))

    add("reviews notified", "flow_notified", len)
    add("final report available", "flow_reports_available", _counting(**rep))
    add("review not completed", "flow_not_completed", _counting(report_status="not_completed"))
    add("completed, not published", "flow_not_published", _counting(report_status="not_published"))
    add("qualitative sample", "flow_qualitative_sample", _counting(**rep, qualitative_sample="yes"))
    add(
        "qualitative sample without a report (subset)",
        "flow_qualitative_sample",
        _counting(report_status=("not_completed", "not_published"), qualitative_sample="yes"),
        (0, 0),
    )

    add("deaths", "key_deaths", _counting(outcome=DEATH))
    add("serious harm", "key_serious_harm", _counting(outcome=SERIOUS_HARM))
    add(
        "deaths a direct result",
        "key_deaths_direct",
        _counting(outcome=DEATH, death_maltreatment="direct"),
    )
    add(
        "death coding on serious harm (subset)",
        "key_deaths_direct",
        _counting(outcome=SERIOUS_HARM, death_maltreatment=("direct", "related", "other")),
        (0, 0),
    )
    add("boys", "key_boys", _counting(child_sex="male"))
    for band in BANDS:
        add(f"age {band}", f"key_age_{band}", _counting(age_band=band))
    add(
        "white",
        "key_ethnicity_white",
        _counting(ethnicity="white"),
        _percent_range_bounds(fig, "key_ethnicity_white", _exact(fig, "flow_notified")),
        note="72-80 per cent of the 368 reviews, each end read as printed (71.5-80.5)",
    )
    add("child disability", "key_disability", _counting(**rep, child_disability=NOTED))
    for rid, code in LIVED.items():
        add(f"lived: {code}", rid, _counting(living_situation=code))
    for rid, code in SOCIAL_CARE.items():
        add(f"social care: {code}", rid, _counting(social_care=code))
    add("plan: current", "key_cp_plan_current", _counting(cp_plan="current"))
    add("plan: past", "key_cp_plan_past", _counting(cp_plan="past"))
    add(
        "current plan without current social care",
        "key_cp_plan_current",
        _plan_without_current_care,
        (0, 0),
        note="a child on a plan is open to children's social care",
    )
    add("neglect a feature", "key_neglect", _counting(**neg))

    for rid, field in TABLE_1_2.items():
        add(f"{field} noted", rid, _counting(**rep, **{field: NOTED}))
        parent = fig.at[rid, "subset_of"]
        if pd.notna(parent) and parent in TABLE_1_2:
            add(
                f"{field} noted without {TABLE_1_2[parent]} (subset)",
                rid,
                _counting(**{field: NOTED, TABLE_1_2[parent]: (NOT_NOTED, NA)}),
                (0, 0),
            )

    for band in BANDS:
        add(f"reports aged {band}", f"t3_n_{band}", _counting(**rep, age_band=band))
    add("reports", "t3_n_total", _counting(**rep))
    for item, field in TABLE_3.items():
        for band in BANDS:
            rid = f"t3_{item}_{band}"
            if fig.at[rid, "count_status"] == NA:
                add(
                    f"{field} coded though '-' at {band}",
                    rid,
                    _counting(**rep, age_band=band, **{field: (NOTED, NOT_NOTED)}),
                    (0, 0),
                )
            else:
                add(f"{field} {band}", rid, _counting(**rep, age_band=band, **{field: NOTED}))
        total = f"t3_{item}_total"
        add(f"{field} all ages", total, _counting(**rep, **{field: NOTED}))
        denominator = int(fig.at[total, "denominator"])
        add(
            f"{field} denominator",
            total,
            _counting(**rep, **{field: (NOTED, NOT_NOTED)}),
            (denominator, denominator),
        )
    for rid, field in (
        ("t3_alcohol_11_plus", "child_alcohol_misuse"),
        ("t3_drug_11_plus", "child_drug_misuse"),
    ):
        add(f"{field} aged 11+", rid, _counting(**rep, **older, **{field: NOTED}))

    for rid, field in TABLE_4.items():
        count = _neglect_substance if field == SUBSTANCE else _counting(**neg, **{field: NOTED})
        add(f"{field} in neglect reports", rid, count)
    add("neglect a feature", "neg_feature", _counting(**neg))
    add(
        "neglect the primary issue in serious harm",
        "neg_primary_serious_harm",
        _counting(outcome=SERIOUS_HARM, primary_harm="neglect"),
    )
    add("neglect reports, no adversity", "neg_no_adversity", _adversity_groups(0, 0))
    add(
        "neglect reports, three or more adversities",
        "neg_three_plus_adversities",
        _adversity_groups(MANY, len(TABLE_4)),
    )
    add(
        "plans in the neglect category",
        "neg_cp_plan_neglect",
        _counting(cp_plan=PLAN, cp_plan_category="neglect"),
    )
    known = int(fig.at["neg_cp_plan_neglect", "denominator"])
    add(
        "plans with a known category",
        "neg_cp_plan_neglect",
        _counting(cp_plan=PLAN, cp_plan_category=KNOWN_PLAN_CATEGORIES),
        (known, known),
    )

    for rid, code in TABLE_5.items():
        add(f"method: {code}", rid, _counting(**rep, review_method=code))
    add("methods coded", "t5_total", _counting(**rep, review_method=tuple(TABLE_5.values())))

    add("aged 11 or over", "adol_aged_11_plus", _counting(**older))
    add("adolescent deaths", "adol_deaths", _counting(**older, outcome=DEATH))
    add("adolescent serious harm", "adol_serious_harm", _counting(**older, outcome=SERIOUS_HARM))
    add(
        "adolescent deaths maltreatment-related",
        "adol_deaths_maltreatment",
        _counting(**older, outcome=DEATH, death_maltreatment=("direct", "related")),
        note="'maltreatment related' read as direct or related",
    )
    add("CSE noted", "adol_cse", _counting(**rep, child_sexual_exploitation=NOTED))
    add(
        "criminal exploitation noted",
        "adol_criminal_exploitation",
        _counting(child_criminal_exploitation=NOTED),
    )
    add(
        "criminal exploitation: boys aged 14 to 17",
        "adol_criminal_exploitation",
        _exploited_boys_14_to_17,
    )
    stab = _exact(fig, "adol_criminal_exploitation_stab")
    add(
        "criminal exploitation cases who died",
        "adol_criminal_exploitation_stab",
        _counting(child_criminal_exploitation=NOTED, outcome=DEATH),
        (stab, int(fig.at["adol_criminal_exploitation_stab", "denominator"])),
        note="no cause-of-death field: at least the stab deaths; the briefing says the "
        "fourth died by suicide",
    )
    return out


def check(extract: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """One row per published constraint: its target, the extract's count, whether it holds.

    Counts use coding round 1. Constraints on figures listed in `CONFLICTS` carry
    the conflict in their note.
    """
    rows = extract[extract["coding_round"] == 1]
    conflicts = {rid: c.why for c in CONFLICTS for rid in c.row_ids}
    records = []
    for c in published_constraints(figures):
        value = c.count(rows)
        notes = [c.note, f"CONFLICT: {conflicts[c.row_id]}" if c.row_id in conflicts else ""]
        records.append(
            [
                c.name,
                c.row_id,
                c.target,
                value,
                c.low <= value <= c.high,
                "; ".join(filter(None, notes)),
            ]
        )
    return pd.DataFrame(records, columns=CHECK_COLUMNS)
