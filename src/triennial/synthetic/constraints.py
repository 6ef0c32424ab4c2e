"""What the synthetic extract must reproduce, and `check`, which recomputes it.

`published_constraints(figures)`: every review-level count the published figures fix
(`Constraint`: a name, the figure's row_id, the bounds read from the figures, and a
function counting the extract's rows). `check(extract, figures)`: one row per
constraint with the extract's count and whether it holds. `CONFLICTS`: published
figures that cannot all hold at once (`Conflict`); none has been found, so the list
is empty and every constraint holds in `reconstruct`'s output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from triennial.synthetic import layout
from triennial.synthetic.layout import (
    ALCOHOL,
    AVAILABLE,
    BANDS,
    DEATH,
    DRUG,
    EXPLOITATION_AGE,
    KNOWN_PLAN_CATEGORIES,
    MANY,
    NA,
    NOT_NOTED,
    NOTED,
    OLDER,
    PLAN,
    SERIOUS_HARM,
    SUBSTANCE,
)
from triennial.synthetic.targets import count_bounds, exact_count, percent_range_bounds

CHECK_COLUMNS = ["constraint", "row_id", "target", "value", "holds", "note"]


@dataclass(frozen=True)
class Conflict:
    """Published figures that cannot all hold in one extract, and why."""

    row_ids: tuple[str, ...]
    why: str


# None found. `check` notes any listed here on their rows.
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
        singles = [f for f in layout.TABLE_4.values() if f != SUBSTANCE]
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
        low, high = bounds if bounds is not None else count_bounds(fig, row_id)
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
        percent_range_bounds(fig, "key_ethnicity_white", exact_count(fig, "flow_notified")),
        note="72-80 per cent of the 368 reviews, each end read as printed (71.5-80.5)",
    )
    add("child disability", "key_disability", _counting(**rep, child_disability=NOTED))
    for rid, code in layout.LIVED.items():
        add(f"lived: {code}", rid, _counting(living_situation=code))
    for rid, code in layout.SOCIAL_CARE.items():
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

    for rid, field in layout.TABLE_1_2.items():
        add(f"{field} noted", rid, _counting(**rep, **{field: NOTED}))
        parent = fig.at[rid, "subset_of"]
        if pd.notna(parent) and parent in layout.TABLE_1_2:
            add(
                f"{field} noted without {layout.TABLE_1_2[parent]} (subset)",
                rid,
                _counting(**{field: NOTED, layout.TABLE_1_2[parent]: (NOT_NOTED, NA)}),
                (0, 0),
            )

    for band in BANDS:
        add(f"reports aged {band}", f"t3_n_{band}", _counting(**rep, age_band=band))
    add("reports", "t3_n_total", _counting(**rep))
    for item, field in layout.TABLE_3.items():
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
        denominator = int(fig.at[total, "nobs"])
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

    for rid, field in layout.TABLE_4.items():
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
        _adversity_groups(MANY, len(layout.TABLE_4)),
    )
    add(
        "plans in the neglect category",
        "neg_cp_plan_neglect",
        _counting(cp_plan=PLAN, cp_plan_category="neglect"),
    )
    known = int(fig.at["neg_cp_plan_neglect", "nobs"])
    add(
        "plans with a known category",
        "neg_cp_plan_neglect",
        _counting(cp_plan=PLAN, cp_plan_category=KNOWN_PLAN_CATEGORIES),
        (known, known),
    )

    for rid, code in layout.TABLE_5.items():
        add(f"method: {code}", rid, _counting(**rep, review_method=code))
    add("methods coded", "t5_total", _counting(**rep, review_method=tuple(layout.TABLE_5.values())))

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
    stab = exact_count(fig, "adol_criminal_exploitation_stab")
    add(
        "criminal exploitation cases who died",
        "adol_criminal_exploitation_stab",
        _counting(child_criminal_exploitation=NOTED, outcome=DEATH),
        (stab, int(fig.at["adol_criminal_exploitation_stab", "nobs"])),
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
