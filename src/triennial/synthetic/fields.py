"""The rules that build each field of the synthetic extract (`reconstruct` runs them).

"Pick k of these rows by <fields>" is `allocation.pick`: k shared over the groups of
those fields in proportion to their size, then taken evenly in review-id order. The
numbers quoted in brackets are what the rules give with the current figures.

Choices within a published range take its midpoint, rounded down
(`targets.range_midpoint`); for the two-count ranges of Table 4 and the neglect
paragraph that is the lower count. This gives boys 198 (197-200); social care
current 202 (201-204), closed 81 (80-82), never known 59 (58-60), the other 26
not_recorded; living at home 305 (304-307), with relatives 7 (6-9), with foster
carers 14 (13-16), residential 14 (13-16), the other 28 not_recorded, as the
briefing does not describe them; neglect the primary issue in 30 serious harm
reviews (30-31); neglect reports with no Table 4 adversity 22 (22-23) and with at
least three 87 (87-88); every Table 4 count at its lower end (domestic abuse 133,
..., social isolation 35).

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

Tables 1, 2 and 4. The 208 neglect reports get none, one or two, or three or more of
the nine Table 4 adversities (parental alcohol or drug misuse counting as one), with
counts as even as possible given the column totals: all 99 in the middle group have
2 and, of the 87 with three or more, 86 have 6 and one 5 (the totals force an
average of six). The columns are then realised by the Gale-Ryser greedy
(`allocation.realise`). The other 70 reports take the rest of each Table 1/2 total,
with counts as even as possible (2 or 3 each). Parental alcohol and drug misuse (99
each) are each split between neglect and other reports in proportion to their
numbers (74 and 25); in the neglect reports they must cover Table 4's 81, so 67 note
both; in the other reports drug misuse is on the alcohol reports (25 both). The
figures force a large overlap: 99 + 99 noted but at most 81 + 70 reports with
either. Intellectual disability and separation are spread by neglect; violent crime
and acrimonious separation are placed within criminal record and separation.

Table 3. Each printed cell is filled among that band's reports, spread by outcome
and by the characteristic placed before it, so that no two characteristics
coincide; cells printed '-' are not_applicable.

Primary harm is published only as neglect among serious harm; the rest follows
an assumed rule (`primary_harm`): physical abuse for younger children's serious
harm (sexual abuse at 6-10), CSE or else risk-taking/violent behaviour for
adolescents' serious harm (the briefing's two commonest causes), physical abuse
for direct deaths, neglect for younger children's related deaths, other otherwise.

Review ids R001-R368 are in notification order; dates run evenly through
1 April 2014 to 31 March 2017, the age bands interleaved evenly over them; the
qualitative sample and review methods are spread evenly; coders take turns.
"""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import numpy as np
import pandas as pd

from triennial.synthetic import layout
from triennial.synthetic.allocation import (
    apportion,
    assign,
    even_split,
    pick,
    realise,
    split_union,
    van_der_corput,
)
from triennial.synthetic.layout import (
    ALCOHOL,
    AVAILABLE,
    BANDS,
    CODERS,
    DEATH,
    DRUG,
    EXPLOITATION_AGE,
    FEW,
    MANY,
    NA,
    NOT_NOTED,
    NOT_RECORDED,
    NOTED,
    OLDER,
    OTHER_ETHNIC_GROUPS,
    OTHER_PLAN_CATEGORIES,
    PERIOD,
    PLAN,
    SERIOUS_HARM,
    SUBSTANCE,
    YOUNGER,
)
from triennial.synthetic.targets import (
    count_bounds,
    exact_count,
    percent_range_bounds,
    printed_percent,
    range_midpoint,
)


def noted(flag: pd.Series, applies: pd.Series) -> pd.Series:
    """noted / not_noted where the item applies, not_applicable elsewhere."""
    return pd.Series(np.where(applies, np.where(flag, NOTED, NOT_NOTED), NA), index=flag.index)


def _band_counts(fig: pd.DataFrame) -> dict[str, int]:
    """Reviews per age band: see "Age" in the module docstring."""
    older = exact_count(fig, "adol_aged_11_plus")
    younger = exact_count(fig, "flow_notified") - older
    counts = {}
    for total, bands in ((younger, YOUNGER), (older, OLDER)):
        weights = [printed_percent(fig, f"key_age_{band}") for band in bands]
        counts |= dict(zip(bands, apportion(total, weights), strict=True))
    for band, n in counts.items():
        low, high = count_bounds(fig, f"key_age_{band}")
        if not low <= n <= high:
            raise ValueError(f"age band {band}: {n} reviews, outside {low}-{high}")
    return counts


def _ages(band: str, n: int) -> list[int]:
    """Completed months of a band's n reviews, in date order.

    The n ages run evenly through the band's months; the j-th review in date order
    takes the age ranked like the j-th van der Corput term, so that ages neither
    rise nor fall over the period.
    """
    low, high = BANDS[band]
    ages = [0] * n
    for rank, j in enumerate(sorted(range(n), key=van_der_corput)):
        ages[j] = low + (2 * rank + 1) * (high - low + 1) // (2 * n)
    return ages


def skeleton(fig: pd.DataFrame) -> pd.DataFrame:
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


def report_status(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Table 3's N per band are the available reports; not-published spread by band."""
    available = pd.Series(False, index=r.index)
    for band in BANDS:
        available |= pick(r, r["age_band"] == band, exact_count(fig, f"t3_n_{band}"))
    unpublished = pick(r, ~available, exact_count(fig, "flow_not_published"), by=["age_band"])
    return pd.Series(
        np.select([available, unpublished], [AVAILABLE, "not_published"], "not_completed"),
        index=r.index,
    )


def deaths(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Adolescent and younger deaths, each spread by age band and report status."""
    older = r["age_band"].isin(OLDER)
    older_deaths = exact_count(fig, "adol_deaths")
    by = ["age_band", "report_status"]
    return pick(r, older, older_deaths, by) | pick(
        r, ~older, exact_count(fig, "key_deaths") - older_deaths, by
    )


def criminal_exploitation(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """The analysed cases: adolescents aged 14-17 with a report who died."""
    eligible = (
        (r["report_status"] == AVAILABLE)
        & (r["outcome"] == DEATH)
        & r["age_months"].between(*EXPLOITATION_AGE)
    )
    return pick(r, eligible, exact_count(fig, "adol_criminal_exploitation"))


def death_maltreatment(r: pd.DataFrame, fig: pd.DataFrame, cce: pd.Series) -> pd.Series:
    """Direct / related / other for deaths: see "Outcome" in the module docstring."""
    died = r["outcome"] == DEATH
    older = died & r["age_band"].isin(OLDER)
    younger = died & ~older
    direct_older, direct_younger = apportion(
        exact_count(fig, "key_deaths_direct"), [older.sum(), younger.sum()]
    )
    related_or_direct = exact_count(fig, "adol_deaths_maltreatment")
    related_older = related_or_direct - direct_older
    other_older = int(older.sum()) - related_or_direct
    related_younger, other_younger = apportion(
        int(younger.sum()) - direct_younger, [related_older, other_older]
    )
    by = ["age_band", "report_status"]
    codes = assign(
        r,
        older,
        {"related": related_older, "direct": direct_older, "other": other_older},
        by,
        first={"related": cce},
        otherwise=NA,
    )
    young = assign(
        r,
        younger,
        {"direct": direct_younger, "related": related_younger, "other": other_younger},
        by,
    )
    return codes.where(~younger, young)


def child_sex(r: pd.DataFrame, fig: pd.DataFrame, cce: pd.Series) -> pd.Series:
    """Boys at the midpoint; in each adolescent band girls the smallest possible majority."""
    by = ["age_band", "report_status", "outcome"]
    younger = r["age_band"].isin(YOUNGER)
    male = pd.Series(False, index=r.index)
    for band in OLDER:
        in_band = r["age_band"] == band
        male |= pick(r, in_band, (int(in_band.sum()) - 1) // 2, by, first=cce)
    return pd.Series(
        np.where(
            male | pick(r, younger, range_midpoint(fig, "key_boys") - int(male.sum()), by),
            "male",
            "female",
        ),
        index=r.index,
    )


def ethnicity(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """White at the midpoint of the printed range; the rest by `OTHER_ETHNIC_GROUPS`."""
    low, high = percent_range_bounds(fig, "key_ethnicity_white", len(r))
    white = (low + high) // 2
    others = apportion(len(r) - white, list(OTHER_ETHNIC_GROUPS.values()))
    counts = {"white": white} | dict(zip(OTHER_ETHNIC_GROUPS, others, strict=True))
    return assign(r, pd.Series(True, index=r.index), counts, by=["age_band"])


def living_situation(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Midpoints; residential care for adolescents; not_recorded first without a report."""
    counts = {code: range_midpoint(fig, rid) for rid, code in layout.LIVED.items()}
    residential = pick(r, r["age_band"].isin(OLDER), counts.pop("residential"), by=["age_band"])
    rest = {
        "foster_carers": counts["foster_carers"],
        "relatives": counts["relatives"],
        NOT_RECORDED: len(r) - int(residential.sum()) - sum(counts.values()),
        "home": counts["home"],
    }
    no_report = r["report_status"] != AVAILABLE
    codes = assign(r, ~residential, rest, by=["age_band"], first={NOT_RECORDED: no_report})
    return codes.where(~residential, "residential")


def cp_plan(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Plans of reviews with a report are the plans whose category is known (the
    denominator of neg_cp_plan_neglect); current and past shared in proportion."""
    current, past = exact_count(fig, "key_cp_plan_current"), exact_count(fig, "key_cp_plan_past")
    known = int(fig.at["neg_cp_plan_neglect", "nobs"])
    current_known, past_known = apportion(known, [current, past])
    available = r["report_status"] == AVAILABLE
    with_report = {"current": current_known, "past": past_known}
    without = {"current": current - current_known, "past": past - past_known}
    codes = assign(
        r,
        available,
        with_report | {"never": int(available.sum()) - known},
        by=["age_band", "outcome"],
    )
    rest = int((~available).sum()) - sum(without.values())
    return codes.where(available, assign(r, ~available, without | {"never": rest}, ["age_band"]))


def cp_plan_category(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Neglect as published (reports noting neglect first), other categories round-robin."""
    known = (r["cp_plan"].isin(PLAN)) & (r["report_status"] == AVAILABLE)
    neglect = exact_count(fig, "neg_cp_plan_neglect")
    others = apportion(int(known.sum()) - neglect, [1] * len(OTHER_PLAN_CATEGORIES))
    counts = {"neglect": neglect} | dict(zip(OTHER_PLAN_CATEGORIES, others, strict=True))
    codes = assign(r, known, counts, ["age_band"], first={"neglect": r["neglect_feature"] == NOTED})
    unknown = r["cp_plan"].isin(PLAN) & ~known
    return codes.where(~unknown, NOT_RECORDED).where(r["cp_plan"].isin(PLAN), NA)


def social_care(r: pd.DataFrame, fig: pd.DataFrame) -> pd.Series:
    """Midpoints, keeping plans and placements consistent with involvement."""
    counts = {code: range_midpoint(fig, rid) for rid, code in layout.SOCIAL_CARE.items()}
    by = ["age_band", "report_status"]
    everyone = pd.Series(True, index=r.index)
    in_care = r["living_situation"].isin(["foster_carers", "residential"])
    current = pick(r, everyone, counts["current"], by, first=(r["cp_plan"] == "current") | in_care)
    closed = pick(r, ~current, counts["previously_known_closed"], by, first=r["cp_plan"] == "past")
    unrecorded = pick(
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
    none = pick(r, neglect, range_midpoint(fig, "neg_no_adversity"), ["age_band"])
    many = pick(r, neglect & ~none, range_midpoint(fig, "neg_three_plus_adversities"), ["age_band"])
    few = neglect & ~none & ~many
    n_few, n_many = int(few.sum()), int(many.sum())
    # As many as possible in the 1-2 group keeps the 3+ group as low as the totals allow.
    few_total = min(FEW * n_few, total - MANY * n_many)
    many_total = total - few_total
    if few_total < n_few or many_total > len(layout.TABLE_4) * n_many:
        raise ValueError("the Table 4 totals do not fit the published adversity groups")
    counts = pd.Series(0, index=r.index)
    counts[few] = even_split(few_total, n_few)
    counts[many] = even_split(many_total, n_many)
    return counts[neglect]


def family_adversities(r: pd.DataFrame, fig: pd.DataFrame) -> pd.DataFrame:
    """Tables 1 and 2 over the reports, Table 4 and its adversity groups within neglect.

    Returns one boolean column per Table 1/2 field (False without a report).
    """
    available = r["report_status"] == AVAILABLE
    neglect = r["neglect_feature"] == NOTED
    other = available & ~neglect
    totals = {field: exact_count(fig, rid) for rid, field in layout.TABLE_1_2.items()}
    in_neglect = {field: range_midpoint(fig, rid) for rid, field in layout.TABLE_4.items()}
    sizes = [int(neglect.sum()), int(other.sum())]
    alcohol_neglect, alcohol_other = apportion(totals[ALCOHOL], sizes)
    drug_neglect, drug_other = apportion(totals[DRUG], sizes)
    # In the other reports drug misuse sits on the alcohol reviews: the union is the larger.
    in_other = {
        field: (max(alcohol_other, drug_other) if field == SUBSTANCE else totals[field] - n)
        for field, n in in_neglect.items()
    }
    other_counts = pd.Series(even_split(sum(in_other.values()), sizes[1]), index=r.index[other])
    grid = pd.concat(
        [
            realise(_adversity_counts(r, fig, sum(in_neglect.values())), in_neglect),
            realise(other_counts, in_other),
        ]
    ).reindex(r.index, fill_value=False)

    flags = grid.drop(columns=SUBSTANCE).assign(**{ALCOHOL: False, DRUG: False})
    for group, alcohol, drug in (
        (neglect, alcohol_neglect, drug_neglect),
        (other, alcohol_other, drug_other),
    ):
        rows = r.index[group & grid[SUBSTANCE]]
        with_alcohol, with_drug = split_union(rows, alcohol, drug)
        flags.loc[with_alcohol, ALCOHOL] = True
        flags.loc[with_drug, DRUG] = True

    by = ["neglect_feature"]
    for field in ("parental_intellectual_disability", "parental_separation"):
        flags[field] = pick(r, available, totals[field], by)
    flags["parental_violent_crime"] = pick(
        r, flags["parental_criminal_record"], totals["parental_violent_crime"], by
    )
    flags["parental_separation_acrimonious"] = pick(
        r, flags["parental_separation"], totals["parental_separation_acrimonious"], by
    )
    return flags[list(layout.TABLE_1_2.values())]


def child_characteristics(r: pd.DataFrame, fig: pd.DataFrame) -> pd.DataFrame:
    """Table 3 cell by cell; each characteristic spread by the one placed before it."""
    work = r.copy()
    available = r["report_status"] == AVAILABLE
    female = r["child_sex"] == "female"
    for field in layout.TABLE_3.values():
        work[field] = NA
    for band in BANDS:
        in_band = available & (r["age_band"] == band)
        previous = []
        for item, field in layout.TABLE_3.items():
            row_id = f"t3_{item}_{band}"
            if fig.at[row_id, "count_status"] == NA:
                continue
            first = female if field == "child_sexual_exploitation" else None
            flag = pick(work, in_band, exact_count(fig, row_id), ["outcome", *previous], first)
            work.loc[in_band, field] = np.where(flag[in_band], NOTED, NOT_NOTED)
            previous = [field]
    return work[list(layout.TABLE_3.values())]


def primary_harm(r: pd.DataFrame, fig: pd.DataFrame, cce: pd.Series) -> pd.Series:
    """Neglect for the published share of serious harm; otherwise an assumed rule."""
    harm = r["outcome"] == SERIOUS_HARM
    older = r["age_band"].isin(OLDER)
    cse = r["child_sexual_exploitation"] == NOTED
    dm = r["death_maltreatment"]
    neglect_first = harm & ~older & (r["neglect_feature"] == NOTED)
    neglect = pick(r, neglect_first, range_midpoint(fig, "neg_primary_serious_harm"), ["age_band"])
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
