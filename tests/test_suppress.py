"""Small-number suppression: counts 1 to threshold - 1 never survive."""

import pandas as pd

from triennial.analysis.suppress import check_no_small_counts, suppress


def test_small_counts_bases_and_remainders_are_blanked():
    table = pd.DataFrame(
        {
            "row_id": ["a", "b", "c", "d", "e"],
            "n": [3, 0, 38, 12, 10],
            "N": [40, 40, 40, 4, 40],
            "estimate": [0.075, 0.0, 0.95, 3.0, 0.25],
        }
    )
    out = suppress(table, 5).set_index("row_id")
    assert list(out["suppressed"]) == [True, False, True, True, False]
    # a: n = 3; c: 40 - 38 = 2 would give n back; d: N = 4
    assert out.loc["a", ["n", "N", "estimate"]].isna().all()
    assert out.loc["c", "n"] is None and out.loc["d", "N"] is None
    # zero is not disclosive and is kept; so is a row with every count >= 5
    assert out.loc["b", "n"] == 0 and out.loc["e", "estimate"] == 0.25
    assert check_no_small_counts(out, ["n", "N"], 5) == []
    assert check_no_small_counts(table, ["n", "N"], 5) == ["n", "N"]


def test_counts_without_a_base():
    out = suppress(pd.DataFrame({"n": [4, 37], "kappa": [0.5, 0.8]}), 5, base=None)
    assert out["n"].isna().tolist() == [True, False]
    assert out["kappa"].isna().tolist() == [True, False]
