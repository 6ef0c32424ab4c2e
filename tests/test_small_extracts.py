"""Small or odd valid extracts never crash (issue 11): the run's functions either give
tables or stop with one clear message."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from test_disclosure import CODEBOOK, generate_extract, publish

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
