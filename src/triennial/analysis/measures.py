"""Published measures, computed from a review-level extract.

Each published proportion that is defined review by review has a `Definition` here: who
is counted in the denominator (the population) and who in the numerator. Computing them
on an extract gives a table in the same form as the clean published tables, keyed by the
same row_id, so the extract path and the published-table path meet in the same
prevalence, comparison and report code.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from triennial.data.codebook import AGE_BANDS, NOTED, Codebook

# Table 4's nine adversities; "alcohol or drug misuse" counts once.
ADVERSITIES = [
    "domestic_abuse",
    "parental_mental_health",
    "parental_adverse_childhood_experiences",
    "poverty",
    "parental_alcohol_or_drug_misuse",
    "parental_criminal_record",
    "transient_lifestyle",
    "multiple_partners",
    "social_isolation",
]
ADOLESCENT = ("11_to_15", "16_plus")
# Codes of the two columns `with_derived` adds (the rest come from the codebook).
DERIVED_CODES = {
    "parental_alcohol_or_drug_misuse": (NOTED, "not_noted"),
    "adversities": ("none", "one_or_two", "three_plus"),
}


@dataclass(frozen=True)
class Where:
    """Reviews whose every named column holds one of the given codes.

    A cell of the review population, stated as conditions (not a function) so that
    disclosure control can work out which published counts add up to which.
    """

    conditions: tuple[tuple[str, frozenset[str]], ...] = ()

    def __call__(self, d: pd.DataFrame) -> pd.Series:
        return pd.Series(finder(d)(self), index=d.index)

    def __and__(self, other: Where) -> Where:
        merged = dict(self.conditions)
        for column, codes in other.conditions:
            merged[column] = merged[column] & codes if column in merged else codes
        return Where(tuple(sorted(merged.items())))


Mask = Where


def finder(d: pd.DataFrame) -> Callable[[Where], np.ndarray]:
    """A function giving which reviews of `d` meet a Where, as a boolean array. Each
    condition's reviews are found once: definitions share most of their conditions."""
    found: dict[tuple[str, frozenset[str]], np.ndarray] = {}

    def meeting(where: Where) -> np.ndarray:
        mask = np.ones(len(d), dtype=bool)
        for condition in where.conditions:
            if condition not in found:
                found[condition] = is_in(d[condition[0]], condition[1])
            mask &= found[condition]
        return mask

    return meeting


def is_in(values: pd.Series, codes: Collection[str]) -> np.ndarray:
    """`values.isin(codes)` as an array; a categorical's decided once per category."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        hit = values.cat.categories.isin(list(codes))
        return np.append(hit, False)[values.cat.codes.to_numpy()]  # code -1: missing
    return values.isin(codes).to_numpy(dtype=bool)


@dataclass(frozen=True)
class Definition:
    """A published proportion as review-level filters."""

    table: str
    row_id: str
    measure: str
    group: str
    population: Mask
    numerator: Mask
    minimum_rate: bool = False


def noted(column: str) -> Where:
    return equals(column, NOTED)


def equals(column: str, *values: str) -> Where:
    return Where(((column, frozenset(values)),))


everyone = Where()
with_report = equals("report_status", "available")


def both(a: Where, b: Where) -> Where:
    return a & b


def with_derived(d: pd.DataFrame) -> pd.DataFrame:
    """Add Table 4's 'alcohol or drug misuse' (either noted) and how many of Table 4's
    adversities a review notes, banded as the published neglect rows band it."""
    either = (d["parental_alcohol_misuse"] == NOTED) | (d["parental_drug_misuse"] == NOTED)
    d = d.assign(parental_alcohol_or_drug_misuse=either.map({True: NOTED, False: "not_noted"}))
    count = sum((d[a] == NOTED).astype(int) for a in ADVERSITIES)
    bands = pd.cut(count, [-1, 0, 2, len(ADVERSITIES)], labels=DERIVED_CODES["adversities"])
    # text through the band codes: str() of each of a million cells is slow
    text = np.asarray(DERIVED_CODES["adversities"], dtype=object)[bands.cat.codes.to_numpy()]
    return d.assign(adversities=pd.Series(text, index=d.index, dtype="str"))


def codes(codebook: Codebook) -> dict[str, tuple[str, ...]]:
    """Every code each column of the reviews can hold (codebook and derived columns)."""
    out = {
        f["name"]: tuple(f["constraints"]["enum"])
        for f in codebook.fields
        if "enum" in f.get("constraints", {})
    }
    return out | DERIVED_CODES


def definitions(codebook: Codebook) -> list[Definition]:
    """Every published proportion an extract can reproduce."""
    neglect = noted("neglect_feature")
    categories = codebook.field("cp_plan_category")["constraints"]["enum"]
    recorded_category = equals("cp_plan_category", *(c for c in categories if c != "not_recorded"))
    defs = [
        Definition("review_flow", "flow_reports_available", "reports_available", "all", everyone, with_report),
        Definition("review_flow", "flow_not_completed", "reviews_not_completed", "all", everyone, equals("report_status", "not_completed")),
        Definition("review_flow", "flow_not_published", "reviews_completed_not_published", "all", everyone, equals("report_status", "not_published")),
        Definition("review_flow", "flow_qualitative_sample", "qualitative_sample", "all", with_report, equals("qualitative_sample", "yes")),
        Definition("key_data", "key_boys", "reviews_about_boys", "all", everyone, equals("child_sex", "male")),
        Definition("key_data", "key_deaths", "deaths", "all", everyone, equals("outcome", "death")),
        Definition("key_data", "key_serious_harm", "serious_harm", "all", everyone, equals("outcome", "serious_harm")),
        Definition("key_data", "key_deaths_direct", "deaths_directly_caused_by_maltreatment", "all", equals("outcome", "death"), equals("death_maltreatment", "direct")),
        Definition("key_data", "key_neglect", "neglect_feature", "all", with_report, neglect),
        Definition("key_data", "key_disability", "child_disability", "all", with_report, noted("child_disability")),
        Definition("key_data", "key_cp_plan_current", "child_protection_plan", "current", everyone, equals("cp_plan", "current")),
        Definition("key_data", "key_cp_plan_past", "child_protection_plan", "past", everyone, equals("cp_plan", "past")),
        Definition("adolescents", "adol_aged_11_plus", "age_band", "11_plus", everyone, equals("age_band", *ADOLESCENT)),
        Definition("adolescents", "adol_deaths", "deaths", "11_plus", equals("age_band", *ADOLESCENT), equals("outcome", "death")),
        Definition("adolescents", "adol_serious_harm", "serious_harm", "11_plus", equals("age_band", *ADOLESCENT), equals("outcome", "serious_harm")),
        Definition("adolescents", "adol_deaths_maltreatment", "deaths_maltreatment_related", "11_plus", both(equals("age_band", *ADOLESCENT), equals("outcome", "death")), equals("death_maltreatment", "direct", "related")),
        Definition("adolescents", "adol_cse", "child_sexual_exploitation", "all", with_report, noted("child_sexual_exploitation")),
        Definition("neglect", "neg_feature", "neglect_feature", "all", with_report, neglect),
        Definition("neglect", "neg_primary_serious_harm", "neglect_primary_issue", "serious_harm", equals("outcome", "serious_harm"), equals("primary_harm", "neglect")),
        Definition("neglect", "neg_no_adversity", "neglect_adversities_none", "neglect_feature", both(with_report, neglect), equals("adversities", "none")),
        Definition("neglect", "neg_three_plus_adversities", "neglect_adversities_three_plus", "neglect_feature", both(with_report, neglect), equals("adversities", "three_plus")),
        Definition("neglect", "neg_cp_plan_neglect", "child_protection_plan_category_neglect", "current_or_past_plan", equals("cp_plan", "current", "past") & recorded_category, equals("cp_plan_category", "neglect")),
    ]  # fmt: skip
    for band in AGE_BANDS:
        defs.append(Definition("key_data", f"key_age_{band}", "age_band", band, everyone, equals("age_band", band)))  # fmt: skip
    for place in ("home", "relatives", "foster_carers", "residential"):
        short = {"foster_carers": "foster"}.get(place, place)
        defs.append(Definition("key_data", f"key_lived_{short}", "where_child_lived", place, everyone, equals("living_situation", place)))  # fmt: skip
    for care, short in (
        ("current", "current"),
        ("previously_known_closed", "closed"),
        ("never_known", "never"),
    ):
        defs.append(Definition("key_data", f"key_social_care_{short}", "social_care_involvement", care, everyone, equals("social_care", care)))  # fmt: skip
    defs += _report_tables(codebook)
    return defs


def _report_tables(codebook: Codebook) -> list[Definition]:
    """Tables 1-5: characteristics noted in the final reports."""
    defs = []
    t1 = {
        "alcohol_misuse": "parental_alcohol_misuse", "drug_misuse": "parental_drug_misuse",
        "mental_health": "parental_mental_health",
        "adverse_childhood_experiences": "parental_adverse_childhood_experiences",
        "intellectual_disability": "parental_intellectual_disability",
        "criminal_record": "parental_criminal_record", "violent_crime": "parental_violent_crime",
    }  # fmt: skip
    for key, column in t1.items():
        defs.append(Definition("table1_parental", f"t1_{key}", column, "all", with_report, noted(column), True))  # fmt: skip
    t2 = {
        "parental_separation": "parental_separation",
        "separation_acrimonious": "parental_separation_acrimonious",
        "domestic_abuse": "domestic_abuse", "social_isolation": "social_isolation",
        "transient_lifestyle": "transient_lifestyle", "multiple_partners": "multiple_partners",
        "poverty": "poverty",
    }  # fmt: skip
    for key, column in t2.items():
        defs.append(Definition("table2_family", f"t2_{key}", column, "all", with_report, noted(column)))  # fmt: skip
    for band in AGE_BANDS:
        defs.append(Definition("table3_child", f"t3_n_{band}", "reports_in_age_band", band, with_report, equals("age_band", band)))  # fmt: skip
    t3 = {
        "disability": "child_disability", "behaviour": "child_behaviour_problems",
        "alcohol": "child_alcohol_misuse", "drug": "child_drug_misuse",
        "mental_health": "child_mental_health", "bullying": "child_bullying",
        "cse": "child_sexual_exploitation",
    }  # fmt: skip
    for key, column in t3.items():
        excluded = codebook.excluded_bands(column)
        for band in AGE_BANDS:
            if band not in excluded:
                population = both(with_report, equals("age_band", band))
                defs.append(Definition("table3_child", f"t3_{key}_{band}", column, band, population, noted(column)))  # fmt: skip
        included = [b for b in AGE_BANDS if b not in excluded]
        population = both(with_report, equals("age_band", *included))
        defs.append(Definition("table3_child", f"t3_{key}_total", column, "all", population, noted(column)))  # fmt: skip
    for key, column in (("alcohol", "child_alcohol_misuse"), ("drug", "child_drug_misuse")):
        population = both(with_report, equals("age_band", *ADOLESCENT))
        defs.append(Definition("table3_child", f"t3_{key}_11_plus", column, "11_plus", population, noted(column)))  # fmt: skip
    t4 = {
        "domestic_abuse": "domestic_abuse", "parental_mental_health": "parental_mental_health",
        "parental_adverse_childhood_experiences": "parental_adverse_childhood_experiences",
        "poverty": "poverty", "parental_substance_misuse": "parental_alcohol_or_drug_misuse",
        "parental_criminal_behaviour": "parental_criminal_record",
        "transient_lifestyle": "transient_lifestyle", "multiple_partners": "multiple_partners",
        "social_isolation": "social_isolation",
    }  # fmt: skip
    neglect = both(with_report, noted("neglect_feature"))
    for key, column in t4.items():
        defs.append(Definition("table4_neglect_adversity", f"t4_{key}", column, "neglect_feature", neglect, noted(column), True))  # fmt: skip
    methods = codebook.field("review_method")["constraints"]["enum"]
    short = {
        "traditional_imr_chronology": "traditional", "scie_learning_together": "scie",
        "silp": "silp", "welsh_child_practice_review": "welsh",
        "hybrid_or_unspecified_systems": "hybrid", "unclear": "unclear", "other": "other",
    }  # fmt: skip
    for method in methods:
        if method in short:
            defs.append(Definition("table5_review_methods", f"t5_{short[method]}", "review_method", method, with_report, equals("review_method", method)))  # fmt: skip
    return defs


def compute(reviews: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Numerator and denominator of every definition, as a clean-published-like table."""
    reviews = with_derived(reviews)
    meeting = finder(reviews)
    rows = []
    for d in definitions(codebook):
        population = meeting(d.population)
        numerator = population & meeting(d.numerator)
        rows.append(
            {
                "table": d.table,
                "row_id": d.row_id,
                "measure": d.measure,
                "group": d.group,
                "kind": "proportion",
                "count": int(numerator.sum()),
                "nobs": int(population.sum()),
                "count_status": "computed_from_extract",
                "minimum_rate": d.minimum_rate,
            }
        )
    out = pd.DataFrame(rows)
    # The columns of the clean published table that an extract cannot have.
    out = out.assign(percent_printed=pd.NA, count_min=pd.NA, count_max=pd.NA)
    return out.astype(
        {
            "count": "Int64",
            "nobs": "Int64",
            "count_min": "Int64",
            "count_max": "Int64",
            "percent_printed": "string",
            "minimum_rate": "boolean",
        }
    )
