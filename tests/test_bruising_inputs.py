"""The inputs of the bruising implication analysis: every published figure is a raw row with its
source, every other input a labelled assumption, and the report cites each.

- the configuration types no published figure: each input names a row or is an assumption that
  says who makes it and why (the ends of a range too);
- the derived number of infants agrees with the printed ends it is derived from;
- a configuration naming a row that does not exist stops with an error naming the key;
- each input's pop-up and its row of the inputs table cite a source or say who assumes it.
"""

import re

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from triennial.data.bruising_inputs import figure_rows, read_figures, read_inputs, resolve
from triennial.data.errors import DataError
from triennial.data.studies import read_bruising
from triennial.report.bruising import assumptions_table
from triennial.report.numbers import INPUTS, bruising_tip

DESCRIPTOR = ROOT / "data/raw/published/bruising/datapackage.json"
CONFIG = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))["bruising"]


@pytest.fixture(scope="module")
def inputs() -> dict:
    return read_inputs(DESCRIPTOR, CONFIG)


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    studies, _ = read_bruising(DESCRIPTOR)
    return figure_rows(studies, read_figures(DESCRIPTOR))


def specs(config: dict):
    for section in ("period", "implications"):
        for name, spec in config[section].items():
            if isinstance(spec, dict):
                yield f"{section}.{name}", spec


def test_the_configuration_names_rows_or_labels_its_assumptions():
    for key, spec in specs(CONFIG):
        assert ("row" in spec) != ("value" in spec), key
        if "value" in spec or "low" in spec:
            assert spec.get("assumed_by") and spec.get("why"), key


def test_no_published_figure_is_typed_into_the_configuration(rows):
    """No figure of the raw rows (as the analysis uses it: a count, or a share) appears among
    the numbers of the configuration's bruising inputs: each is named by its row id."""
    text = yaml.safe_dump({k: CONFIG[k] for k in ("period", "implications")})
    numbers = {float(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text)}
    figures = set(rows[["value", "low", "high"]].stack().round(12)) - {0.0}
    assert not figures & numbers, sorted(figures & numbers)


def test_the_derived_number_of_infants_agrees_with_the_printed_ends(rows):
    """1,960 / 0.6% and 17,300 / 5.3%, each rounded, imply about 326,500 non-mobile infants."""
    rate = rows.loc["rcpch_2020_not_rolling"]
    low = rows.loc["bif_bruised_low", "value"] / rate["low"]
    high = rows.loc["bif_bruised_high", "value"] / rate["high"]
    assert rows.loc["bif_infants", "status"] == "derived"
    assert round((low + high) / 2 / 500) * 500 == rows.loc["bif_infants", "value"]
    assert abs(low - high) / low < 0.001  # the two ends tell the same story


def test_inputs_reach_the_analysis_with_their_values(inputs):
    implications, period = inputs["implications"], inputs["period"]
    assert implications["threshold"]["value"] == 1900
    assert implications["plans_per_year"]["value"] == 410
    assert (implications["plans_per_year"]["low"], implications["plans_per_year"]["high"]) == (
        350,
        470,
    )
    assert (implications["base_rate"]["low"], implications["base_rate"]["high"]) == (0.006, 0.053)
    assert period["weekly_point_prevalence"]["value"] == pytest.approx(0.067)
    assert period["observations"]["value"] == 7.6
    assert period["observed_period_prevalence"]["value"] == pytest.approx(0.27)
    # a printed percentage whose count is derived is shown as printed
    assert period["weekly_point_prevalence"]["provenance"]["status"] == "printed"
    assert implications["prior"]["provenance"]["status"] == "assumed"


def test_a_missing_row_is_an_error_naming_the_key(rows):
    with pytest.raises(DataError, match=r"bruising\.implications\.plans_per_year\.row"):
        resolve({"plans_per_year": {"row": "no_such_row"}}, rows, "implications")


def test_every_input_is_cited_or_says_who_assumes_it(inputs):
    table = assumptions_table(inputs)
    for source in table["Source"]:
        assert source.startswith("[@") or source.startswith("assumed by "), source
    bruising = {"inputs": inputs}
    for name in INPUTS:
        tip = bruising_tip(name, bruising, None)
        assert tip.startswith("Source: [@") or "assumed by the project: " in tip, (name, tip)
        assert not re.search(r"config\.yaml`?: \.", tip), tip
    notes = bruising_tip("plans", bruising, None)
    assert "the project's notes, not the source's words" in notes
