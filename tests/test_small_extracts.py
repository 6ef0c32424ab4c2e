"""Small or odd valid extracts never crash (issue 11): the run's functions either give
tables or stop with one clear message."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from generated_attacks import CODEBOOK, generate_extract, publish

from triennial.data.codebook import load_codebook
from triennial.data.errors import DataError
from triennial.pipeline.figures import national_figures


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOK)


@pytest.mark.parametrize("reviews", [1, 2, 3])
def test_very_few_reviews_give_tables_and_figures(book, tmp_path, reviews):
    raw = tmp_path / "extract.csv"
    generate_extract(book, reviews, seed=100 + reviews).to_csv(raw, index=False)
    out = publish([raw], tmp_path)
    figures = SimpleNamespace(
        **{k: tmp_path / f"{k}.svg" for k in ("parents_families", "child_by_age", "review_flow")}
    )
    national_figures(out.prevalence, figures)
    assert all(p.stat().st_size > 0 for p in vars(figures).values())


def test_a_period_that_matches_no_review_stops_with_one_message(book, tmp_path):
    raw = tmp_path / "extract.csv"
    frame = generate_extract(book, 6, seed=3)
    frame["notification_date"] = "2019-01-01"
    frame.to_csv(raw, index=False)
    with pytest.raises(DataError) as err:
        publish([raw], tmp_path)
    message = str(err.value)
    assert "no review left to analyse: all 6 rows were quarantined" in message
    assert "6 of them for a notification date outside the analysis period" in message
    assert "row 2" in message


def test_a_header_only_extract_stops_with_one_message(book, tmp_path):
    raw = tmp_path / "extract.csv"
    generate_extract(book, 1, seed=1).head(0).to_csv(raw, index=False)
    with pytest.raises(DataError) as err:
        publish([raw], tmp_path)
    assert "no data rows" in str(err.value) or "empty" in str(err.value)


def test_review_ids_are_compared_without_regard_to_case_and_spaces(book, tmp_path):
    from triennial.data.extract import clean_extracts

    frame = generate_extract(book, 2, seed=9)
    copy = frame.iloc[[0]].assign(review_id=" " + frame["review_id"].iloc[0].lower() + " ")
    raw = tmp_path / "extract.csv"
    pd.concat([frame, copy]).to_csv(raw, index=False)
    result = clean_extracts(
        [raw], book, pd.Timestamp("2014-04-01").date(), pd.Timestamp("2017-03-31").date()
    )
    assert len(result.reviews()) == 2
    assert result.quarantine["reason"].tolist() == [f"exact duplicate of row 2 ({raw})"]
