"""The synthetic extract: deterministic, in the codebook's codes, every published count held."""

import json
import re
from datetime import date

import pandas as pd
import pytest
from conftest import DESCRIPTOR, ROOT

from triennial.data import published
from triennial.synthetic import constraints
from triennial.synthetic.constraints import (
    CHECK_COLUMNS,
    CONFLICTS,
    Conflict,
    check,
    published_constraints,
)
from triennial.synthetic.layout import BANDS, TABLE_3
from triennial.synthetic.reconstruct import reconstruct

CODEBOOK = ROOT / "data" / "raw" / "extracts" / "codebook.schema.json"
OLDER = ["11_to_15", "16_plus"]
# Table 4's adversities other than parental alcohol or drug misuse (which count as one).
TABLE_4_SINGLE = [
    "domestic_abuse",
    "parental_mental_health",
    "parental_adverse_childhood_experiences",
    "poverty",
    "parental_criminal_record",
    "transient_lifestyle",
    "multiple_partners",
    "social_isolation",
]


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return published.clean(DESCRIPTOR)[0]


@pytest.fixture(scope="module")
def extract(figures) -> pd.DataFrame:
    return reconstruct(figures)


@pytest.fixture(scope="module")
def fields() -> list[dict]:
    """The codebook's fields but the optional learning themes, which the reconstruction
    does not invent (no source prints them for 2014-17)."""
    every = json.loads(CODEBOOK.read_text(encoding="utf-8"))["fields"]
    return [f for f in every if "learningTheme" not in f]


def reports(extract: pd.DataFrame) -> pd.DataFrame:
    return extract[extract["report_status"] == "available"]


def test_the_same_figures_give_the_same_extract(figures, extract):
    pd.testing.assert_frame_equal(reconstruct(figures), extract)


def test_every_published_constraint_holds(figures, extract):
    result = check(extract, figures)
    assert list(result.columns) == CHECK_COLUMNS
    assert len(result) == len(published_constraints(figures))
    conflicted = {row_id for c in CONFLICTS for row_id in c.row_ids}
    failing = result[~result["holds"] & ~result["row_id"].isin(conflicted)]
    assert failing.empty, failing.to_string()
    assert set(result["row_id"]) <= set(figures["row_id"])


def test_conflicts_name_published_figures_and_say_why(figures):
    for conflict in CONFLICTS:
        assert set(conflict.row_ids) <= set(figures["row_id"]) and conflict.why


def test_check_notices_a_broken_extract(figures, extract):
    broken = extract.copy()
    poor = reports(broken)
    one = poor.index[(poor["poverty"] == "noted") & (poor["neglect_feature"] == "noted")][0]
    broken.loc[one, "poverty"] = "not_noted"
    result = check(broken, figures).set_index("constraint")
    assert not result.at["poverty noted", "holds"]
    assert result.at["poverty noted", "value"] == 96


def test_check_reports_a_listed_conflict(figures, extract, monkeypatch):
    monkeypatch.setattr(constraints, "CONFLICTS", [Conflict(("key_boys",), "a made-up reason")])
    note = check(extract, figures).set_index("constraint").at["boys", "note"]
    assert "CONFLICT: a made-up reason" in note


def test_targets_are_read_from_the_figures(figures):
    edited = figures.copy()
    edited.loc[edited["row_id"] == "t2_poverty", "count"] = 96
    edited.loc[edited["row_id"] == "flow_qualitative_sample", "count"] = 60
    extract = reconstruct(edited)
    assert (reports(extract)["poverty"] == "noted").sum() == 96
    assert (extract["qualitative_sample"] == "yes").sum() == 60
    assert check(extract, edited)["holds"].all()


def test_spot_checks_computed_directly(extract):
    rep = reports(extract)
    neglect = rep[rep["neglect_feature"] == "noted"]
    assert len(extract) == 368 and len(rep) == 278 and len(neglect) == 208
    assert 81 <= (neglect["poverty"] == "noted").sum() <= 82
    either = (neglect["parental_alcohol_misuse"] == "noted") | (
        neglect["parental_drug_misuse"] == "noted"
    )
    assert 81 <= either.sum() <= 82
    six_to_ten = rep[rep["age_band"] == "6_to_10"]
    assert len(six_to_ten) == 17
    assert (six_to_ten["child_mental_health"] == "noted").sum() == 2
    deaths = extract[extract["outcome"] == "death"]
    assert len(deaths) == 206 and (deaths["death_maltreatment"] == "direct").sum() == 78
    older_deaths = deaths[deaths["age_band"].isin(OLDER)]
    assert len(older_deaths) == 65
    assert older_deaths["death_maltreatment"].isin(["direct", "related"]).sum() == 47
    assert 197 <= (extract["child_sex"] == "male").sum() <= 200
    plans = extract[extract["cp_plan"].isin(["current", "past"])]
    assert len(plans) == 110 and (plans["cp_plan_category"] == "neglect").sum() == 50
    assert (~plans["cp_plan_category"].isin(["not_recorded"])).sum() == 84
    harm = extract[extract["outcome"] == "serious_harm"]
    assert 30 <= (harm["primary_harm"] == "neglect").sum() <= 31


def test_table_3_cell_by_cell(figures, extract):
    fig = figures.set_index("row_id")
    rep = reports(extract)
    for item, field in TABLE_3.items():
        for band in BANDS:
            cell = rep.loc[rep["age_band"] == band, field]
            row_id = f"t3_{item}_{band}"
            if fig.at[row_id, "count_status"] == "not_applicable":
                assert (cell == "not_applicable").all(), row_id
            else:
                assert (cell == "noted").sum() == fig.at[row_id, "count"], row_id
                assert cell.isin(["noted", "not_noted"]).all(), row_id


def test_adversity_groups_among_neglect_reports(extract):
    rep = reports(extract)
    neglect = rep[rep["neglect_feature"] == "noted"] == "noted"
    nine = neglect[TABLE_4_SINGLE].sum(axis=1) + (
        neglect["parental_alcohol_misuse"] | neglect["parental_drug_misuse"]
    )
    assert 22 <= (nine == 0).sum() <= 23
    assert 87 <= (nine >= 3).sum() <= 88


def test_fields_in_codebook_order_with_valid_codes(extract, fields):
    assert list(extract.columns) == [f["name"] for f in fields]
    for f in fields:
        enum = f.get("constraints", {}).get("enum")
        if enum is not None:
            bad = set(extract[f["name"]]) - set(enum)
            assert not bad, (f["name"], bad)
        if f["constraints"].get("required"):
            assert extract[f["name"]].notna().all(), f["name"]


def test_identity_dates_and_coders(extract):
    assert extract["review_id"].tolist() == [f"R{i:03d}" for i in range(1, 369)]
    assert (extract["coding_round"] == 1).all() and (extract["review_type"] == "scr").all()
    assert set(extract["coder"]) == {"AB", "CD", "EF"}
    dates = extract["notification_date"]
    assert dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    parsed = dates.map(date.fromisoformat)
    assert parsed.min() >= date(2014, 4, 1) and parsed.max() <= date(2017, 3, 31)
    assert parsed.is_monotonic_increasing


def test_age_band_is_derived_from_age_months_as_the_codebook_says(extract, fields):
    age = next(f for f in fields if f["name"] == "age_months")
    band = next(f for f in fields if f["name"] == "age_band")
    assert extract["age_months"].dtype == "int64"
    assert extract["age_months"].between(age["constraints"]["minimum"], 215).all()
    for name, low, high in re.findall(r"(\w+): (\d+)-(\d+)", band["description"]):
        in_band = extract["age_band"] == name
        assert in_band.any(), name
        assert extract.loc[in_band, "age_months"].between(int(low), int(high)).all(), name


def test_report_items_apply_exactly_when_there_is_a_report(extract, fields):
    has_report = extract["report_status"] == "available"
    for f in fields:
        enum = f.get("constraints", {}).get("enum", [])
        if "noted" not in enum:
            continue
        column = extract[f["name"]]
        assert (column[~has_report] == "not_applicable").all(), f["name"]
        excluded = extract["age_band"].isin(f.get("excludedAgeBands", []))
        assert (column[has_report & excluded] == "not_applicable").all(), f["name"]
        assert column[has_report & ~excluded].isin(["noted", "not_noted"]).all(), f["name"]
    for name in ("qualitative_sample", "review_method"):
        assert ((extract[name] == "not_applicable") == ~has_report).all(), name


def test_codes_that_depend_on_other_fields(extract):
    death = extract["outcome"] == "death"
    assert ((extract["death_maltreatment"] == "not_applicable") == ~death).all()
    plan = extract["cp_plan"].isin(["current", "past"])
    assert ((extract["cp_plan_category"] == "not_applicable") == ~plan).all()
    on_plan = extract[extract["cp_plan"] == "current"]
    assert (on_plan["social_care"] == "current").all()


def test_subsets_hold(extract):
    for part, whole in (
        ("parental_violent_crime", "parental_criminal_record"),
        ("parental_separation_acrimonious", "parental_separation"),
    ):
        assert (extract.loc[extract[part] == "noted", whole] == "noted").all(), part


def test_criminal_exploitation_cases(extract):
    cases = extract[extract["child_criminal_exploitation"] == "noted"]
    assert len(cases) == 4
    assert (cases["child_sex"] == "male").all()
    assert cases["age_months"].between(14 * 12, 17 * 12 + 11).all()
    assert (cases["outcome"] == "death").sum() >= 3


def test_boys_predominate_to_ten_and_girls_from_eleven(extract):
    boys = (extract["child_sex"] == "male").groupby(extract["age_band"]).mean()
    assert (boys[["under_1", "1_to_5", "6_to_10"]] > 0.5).all()
    assert (boys[OLDER] < 0.5).all()
    cse = extract[extract["child_sexual_exploitation"] == "noted"]
    assert (cse["child_sex"] == "female").all()
