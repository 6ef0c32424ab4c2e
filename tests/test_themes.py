"""Learning themes: the codebook's optional theme fields, reading extracts with and without
them, the yardstick's exact test and interval against R and a hand calculation, and the
chapter when no theme is coded."""

import importlib.util
import re
from datetime import date

import pandas as pd
import pytest
from conftest import ROOT

from triennial.analysis.disclosure import Plan
from triennial.analysis.themes import (
    coded_themes,
    financial_year,
    theme_cells,
    theme_rows,
    theme_tables,
    with_years,
    yardstick,
    years,
)
from triennial.data.codebook import load_codebook
from triennial.data.extract import clean_extracts
from triennial.data.panel import read_panel, readings
from triennial.data.series import read_trends
from triennial.report.themes import NONE_CODED, chapter
from triennial.stats.exact import fisher_range_pvalues, readings_confint
from triennial.stats.rounding import numerator_range

CODEBOOK = load_codebook(ROOT / "data/raw/extracts/codebook.schema.json")
DEMONSTRATION = ROOT / "data/raw/extracts/synthetic_reconstruction_2014_17.csv"
PARTNERSHIP = ROOT / ".test/data/partnership_extract.xlsx"
START, END = date(2014, 4, 1), date(2017, 3, 31)
R = pd.read_csv(ROOT / "tests/reference_r/fisher_yardstick.csv")
# Keys of the registry of sources (report/references.bib) a theme's sources must name.
REGISTRY = set(re.findall(r"^@\w+\{(\w+),", (ROOT / "report/references.bib").read_text(), re.M))
NAMED = {  # issue 14's themes, and the panel's three
    "information_sharing",
    "challenge_and_escalation",
    "assessment",
    "recognising_risk",
    "resistance_and_disguised_compliance",
    "diversity_and_culture",
    "voice_of_the_child",
    "coordination_and_lead_professional",
    "professional_curiosity",
    "risk_assessment_and_decision_making",
}


def test_codebook_names_each_theme_with_a_definition_a_source_and_no_requirement():
    assert set(CODEBOOK.themes()) == NAMED
    for name in CODEBOOK.themes():
        field = CODEBOOK.field(name)
        assert "Definition: " in field["description"]
        for source in field["learningTheme"]["sources"]:
            assert source["source"] in REGISTRY and source["locator"], (name, source)
            assert source.get("primary_source", "csprp2024annual") in REGISTRY, (name, source)
        assert field["constraints"]["required"] is False
        assert name not in CODEBOOK.required_columns
        assert field["constraints"]["enum"] == ["noted", "not_noted", "not_coded"]


def test_each_national_theme_names_a_panel_figure():
    national = {
        t: CODEBOOK.field(t)["learningTheme"].get("nationalFigure") for t in CODEBOOK.themes()
    }
    assert {t: f for t, f in national.items() if f} == {
        "coordination_and_lead_professional": "ar_lack_of_coordination",
        "professional_curiosity": "ar_lack_of_curiosity",
        "risk_assessment_and_decision_making": "ar_weak_risk_assessment",
    }
    series, _ = read_trends(ROOT / "data/raw/published/trends/datapackage.json")
    panel = read_panel(ROOT / "data/raw/published/panel/datapackage.json", series)
    assert {f for f in national.values() if f} <= set(panel.figures["row_id"])


def test_the_demonstration_extract_invents_no_themes():
    header = pd.read_csv(DEMONSTRATION, nrows=0).columns
    assert not set(header) & NAMED


def test_an_extract_without_theme_columns_is_read_as_before():
    result = clean_extracts([DEMONSTRATION], CODEBOOK, START, END)
    assert not set(result.clean.columns) & NAMED
    assert len(result.quarantine) == 1  # the accidental copy, as before
    assert theme_rows(result.reviews(), CODEBOOK) == (
        {},
        {"financial_year": ("2014-15", "2015-16", "2016-17")},
    )


def test_theme_codes_typed_as_yes_no_or_left_empty(tmp_path):
    raw = pd.read_excel(PARTNERSHIP, dtype=str, keep_default_na=False)
    assert set(raw["diversity_and_culture"]) >= {"", "yes", "no"}
    result = clean_extracts([PARTNERSHIP], CODEBOOK, START, END)
    clean = result.reviews()
    typed = raw.drop_duplicates("review_id").set_index("review_id")["diversity_and_culture"]
    expected = typed.str.lower().map(
        {
            "yes": "noted",
            "noted": "noted",
            "no": "not_noted",
            "not noted": "not_noted",
            "": "not_coded",
        }
    )
    got = clean.set_index("review_id")["diversity_and_culture"].astype(str)
    assert (got == expected.loc[got.index]).all()
    assert coded_themes(clean, CODEBOOK) == CODEBOOK.themes()


def test_partnership_extract_keeps_its_other_columns():
    """The themes were appended; the columns before them are the typed extract's."""
    spec = importlib.util.spec_from_file_location("make_extracts", ROOT / "tools/make_extracts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.partnership_extract()
    assert list(made.columns) == CODEBOOK.required_columns + list(module.THEME_RATES)
    committed = pd.read_excel(PARTNERSHIP, dtype=str, keep_default_na=False)
    assert committed.equals(made.astype(str))


def test_financial_years_run_april_to_march():
    assert financial_year("2015-03-31") == "2014-15"
    assert financial_year("2015-04-01") == "2015-16"
    assert financial_year("1999-12-01") == "1999-00"
    reviews = pd.DataFrame({"notification_date": ["2016-05-01", "2014-04-01"]})
    assert years(reviews) == ("2014-15", "2015-16", "2016-17")
    assert list(with_years(reviews)["financial_year"]) == ["2016-17", "2014-15"]


def test_fisher_by_hand():
    # [[3, 0], [0, 3]]: the observed table and its mirror each have probability
    # C(3,3) C(3,0) / C(6,3) = 1/20; no other table is as improbable: p = 2/20.
    assert fisher_range_pvalues(3, 3, [(0, 0, 3)]) == (pytest.approx(0.1), pytest.approx(0.1))
    assert fisher_range_pvalues(1, 2, [(1, 1, 2)]) == (1.0, 1.0)


@pytest.mark.parametrize("r", [r for _, r in R[R["kind"] == "single"].iterrows()])
def test_fisher_agrees_with_r(r):
    c, m = int(r["c"]), int(r["m"])
    low, high = fisher_range_pvalues(int(r["x"]), int(r["n"]), [(c, c, m)])
    assert low == high == pytest.approx(r["p_max"], rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("r", [r for _, r in R[R["kind"] == "ranged"].iterrows()])
def test_yardstick_over_every_reading_agrees_with_r(r):
    """Smallest and largest p and the covering Wilson interval over both bases (330
    rapid reviews, 485 children), each count the whole percentage allows."""
    reads = [(*numerator_range(str(int(r["percent"])), m), m) for m in (330, 485)]
    p_min, p_max = fisher_range_pvalues(int(r["x"]), int(r["n"]), reads)
    assert (p_min, p_max) == (
        pytest.approx(r["p_min"], rel=1e-9),
        pytest.approx(r["p_max"], rel=1e-9),
    )
    low, upp = readings_confint(reads, 0.05, "wilson")
    assert (low, upp) == (
        pytest.approx(r["national_ci_low"], rel=1e-9),
        pytest.approx(r["national_ci_upp"], rel=1e-9),
    )


def test_panel_readings_are_the_rounding_range_of_each_base():
    series, _ = read_trends(ROOT / "data/raw/published/trends/datapackage.json")
    panel = read_panel(ROOT / "data/raw/published/panel/datapackage.json", series)
    figure = panel.figures.set_index("row_id").loc["ar_lack_of_curiosity"]
    # 66% of 330 is 217.8: 65.5% to 66.5% holds 216.15..219.45; of 485, 317.7..322.5
    assert readings(figure, panel.bases) == [(217, 219, 330), (318, 322, 485)]


@pytest.mark.parametrize("threshold", [5, 0])
def test_chapter_says_so_in_one_sentence_when_no_theme_is_coded(threshold):
    """An extract without theme columns: empty tables, and the chapter is one sentence."""
    reviews = with_years(clean_extracts([DEMONSTRATION], CODEBOOK, START, END).reviews())
    plan = Plan(threshold, {(): len(reviews)})
    out = theme_tables(reviews, CODEBOOK, plan, theme_cells(reviews, CODEBOOK), "wilson", 0.05)
    assert all(t.empty for t in out.values())
    out["yardstick"] = yardstick(
        out["themes"], CODEBOOK, pd.DataFrame({"row_id": []}), {}, readings, "wilson", 0.05
    )
    assert out["yardstick"].empty
    assert chapter(out, "Example") == NONE_CODED + "\n"
    assert NONE_CODED.count(". ") == 0 and NONE_CODED.endswith(".")
