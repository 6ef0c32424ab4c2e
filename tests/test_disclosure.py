"""Disclosure control: primary and secondary suppression, checked by an attacker.

The attacker (tests/attack.py) is written apart from the suppression code: it finds
the relations among published counts itself and recomputes each hidden count's range
by integer programming. It runs on the `.test` extract and on the extracts generated
from the codebook (`SIZES`: 5 to 60 reviews), each through the same functions the
pipeline's rules run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from attack import Attack, published_counts
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import random_array

from triennial.analysis import disclosure
from triennial.analysis.disclosure import PUBLIC, Plan, key_text, plan_table, protect, read_plan
from triennial.analysis.measures import Where
from triennial.data.codebook import NOT_APPLICABLE, load_codebook
from triennial.data.errors import DataError
from triennial.data.extract import clean_extracts
from triennial.pipeline import extract, extract_analysis

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data/raw/extracts/codebook.schema.json"
THRESHOLD = 5


# --- the suppression itself, on a table worked by hand ---------------------------------------

A = "age_band"
CODES = {A: ("young", "middle", "old")}


def band(code: str):
    return ((A, (code,)),)


def test_primary_then_secondary_on_one_margin():
    """20 reviews in three bands 2, 8, 10: the 2 is hidden, and since 20 - 8 - 10 would
    give it back, the next smallest (8) is hidden too; then each can be 0 to 10. The audit
    records two values of each hidden cell that a table consistent with the shown counts
    gives it, at least the threshold apart."""
    values = {PUBLIC: 20, band("young"): 2, band("middle"): 8, band("old"): 10}
    plan = protect(values, set(values), [], CODES, THRESHOLD)
    assert plan.hidden == {band("young"), band("middle")}
    for key in plan.hidden:
        low, high = plan.ranges[key]
        assert 0 <= low and high <= 10 and high - low >= THRESHOLD


def test_secondary_suppression_widens_until_the_threshold():
    """Bands 1, 3, 16: both small ones hidden by primary suppression, but together they
    are 4, so each could only be 0 to 4: the 16 is hidden as well."""
    values = {PUBLIC: 20, band("young"): 1, band("middle"): 3, band("old"): 16}
    plan = protect(values, set(values), [], CODES, THRESHOLD)
    assert plan.hidden == {band("young"), band("middle"), band("old")}
    assert all(high - low >= THRESHOLD for low, high in plan.ranges.values())


def test_no_suppression_for_the_demonstration():
    values = {PUBLIC: 20, band("young"): 1, band("middle"): 3, band("old"): 16}
    plan = protect(values, set(values), [], CODES, 0)
    assert plan.hidden == set() and plan.shows(band("young"))


def test_counts_are_the_reviews_meeting_every_condition():
    """`cell_counts` (each condition's reviews found once) against `Where` cell by cell."""
    reviews = pd.DataFrame(
        {A: ["young", "old", "old", None, "middle"], "sex": ["f", "m", "f", "f", pd.NA]}
    )
    keys = [PUBLIC, band("old"), (("sex", ("f",)),), ((A, ("old", "young")), ("sex", ("f",)))]
    assert disclosure.cell_counts(reviews, keys) == {k: int(Where(k)(reviews).sum()) for k in keys}
    assert list(disclosure.cell_counts(reviews, keys).values()) == [5, 2, 3, 2]


# --- the solver, called directly ---------------------------------------------------------------


@pytest.mark.parametrize("direct", [True, False])
def test_the_audit_solves_its_programmes_as_milp_does(monkeypatch, direct):
    """`_linear` hands HiGHS what `milp` hands it, so the audit's witnesses are the ones
    `milp` would give (to the last bit), whichever way it is called."""
    if not direct:
        monkeypatch.setattr(disclosure, "_highs", None)
    rng = np.random.default_rng(1)
    solved = 0
    for _ in range(40):
        rows, n, upper = rng.integers(5, 60), rng.integers(5, 60), int(rng.integers(5, 40))
        signs = lambda size: rng.choice([-1.0, 1.0], size)  # noqa: E731
        a = random_array((rows, n), density=0.1, rng=rng, data_sampler=signs).tocsc()
        a.sort_indices()
        total = a @ rng.integers(0, upper + 1, n)  # a table the programme allows
        low = total - rng.choice([0, 0, upper], rows)  # some rows equalities, some ranges
        high = total + rng.choice([0, 0, upper], rows)
        c = np.zeros(n)
        c[rng.integers(n)] = rng.choice([-1.0, 1.0])
        expected = milp(c, constraints=LinearConstraint(a, low, high), bounds=Bounds(0, upper))
        got = disclosure._linear(c, a, low, high, upper)
        assert np.array_equal(got, expected.x)
        solved += got is not None
    assert solved == 40


def test_a_fractional_optimum_is_solved_again_in_whole_numbers():
    """Three cells any two of which sum to at most 1: the linear optimum of their total is
    1.5 (each a half); the integer programme's is 1."""
    a = disclosure.csc_array(np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 1]]))
    c = -np.ones(3)
    assert disclosure._linear(c, a, np.zeros(3), np.ones(3), 1) @ c == -1.5
    x, _ = disclosure._solve(c, a, np.zeros(3), np.ones(3), 1)
    assert x @ c == -1 and set(x) <= {0.0, 1.0}


# --- safe by default --------------------------------------------------------------------------


def test_a_private_extract_is_refused_as_the_demonstration():
    """Not decided by the config alone: the rows are not the synthetic reconstruction's."""
    book = load_codebook(CODEBOOK)
    with pytest.raises(DataError) as err:
        clean_extracts(
            [ROOT / ".test/data/partnership_extract.xlsx"],
            book,
            pd.Timestamp("2014-04-01").date(),
            pd.Timestamp("2017-03-31").date(),
            demonstration=True,
        )
    message = str(err.value)
    assert "row 2" in message and "SYN-P01" in message
    assert "extracts.demonstration: false" in message


# --- generated extracts -------------------------------------------------------------------------


def generate_extract(book, reviews: int, seed: int) -> pd.DataFrame:
    """A raw extract of `reviews` reviews, every code drawn from the codebook, skewed so
    that some counts are small; the codebook's cross-field rules respected."""
    rng = np.random.default_rng(seed)
    rows = {}
    for f in book.fields:
        codes = f.get("constraints", {}).get("enum")
        if codes:
            weights = rng.dirichlet(np.full(len(codes), 0.7))
            rows[f["name"]] = rng.choice(codes, reviews, p=weights)
    frame = pd.DataFrame(rows)
    frame["review_id"] = [f"GEN-{seed}-{i:03d}" for i in range(reviews)]
    frame["coding_round"] = "1"
    frame["coder"] = "AB"
    frame["notification_date"] = "2015-06-01"
    frame["age_months"] = rng.integers(0, 216, reviews).astype(str)
    frame["age_band"] = ""
    death = frame["outcome"] == "death"
    frame.loc[~death, "death_maltreatment"] = NOT_APPLICABLE
    frame.loc[death & (frame["death_maltreatment"] == NOT_APPLICABLE), "death_maltreatment"] = (
        "related"
    )
    no_report = frame["report_status"] != "available"
    for name in [*book.characteristics(), "review_method", "qualitative_sample"]:
        frame.loc[no_report, name] = NOT_APPLICABLE
    frame.loc[frame["cp_plan"] == "never", "cp_plan_category"] = NOT_APPLICABLE
    return frame[[f["name"] for f in book.fields if f["name"] in frame.columns]]


def publish(raw_files: list[Path], folder: Path, threshold: int = THRESHOLD) -> SimpleNamespace:
    """Run the rules' functions from the raw extract to the published tables."""
    p = {
        name: folder / f"{name}.csv"
        for name in ("clean", "reviews", "quarantine", "cleaning_log", "plan", "prevalence")
    }
    p |= {"summary": folder / "summary.json", "subgroups": folder / "subgroup_prevalence.csv"}
    p |= {"tests": folder / "subgroup_tests.csv", "agreement": folder / "agreement.csv"}
    out = SimpleNamespace(**{k: str(v) for k, v in p.items()})
    extract.clean_extract(
        [str(f) for f in raw_files], str(CODEBOOK), "2014-04-01", "2017-03-31", out
    )
    extract_analysis.disclosure(out.reviews, str(CODEBOOK), out.plan, threshold)
    extract_analysis.extract_measures(
        out.reviews, str(CODEBOOK), out.plan, out.prevalence, "wilson", 0.05, threshold
    )
    tables = SimpleNamespace(prevalence=out.subgroups, tests=out.tests)
    extract_analysis.subgroups(
        out.reviews, str(CODEBOOK), out.plan, tables, "wilson", 0.05, threshold
    )
    extract_analysis.agreement(out.clean, str(CODEBOOK), out.agreement, 0.05, threshold)
    return out


@pytest.fixture(scope="module")
def attacker() -> Attack:
    return Attack(load_codebook(CODEBOOK), size=6000)


def attack(attacker: Attack, out: SimpleNamespace) -> dict[str, tuple[int, int]]:
    prevalence, subgroups = pd.read_csv(out.prevalence), pd.read_csv(out.subgroups)
    reviews = json.loads(Path(out.summary).read_text())["reviews"]
    return attacker.ranges(published_counts(prevalence, subgroups), reviews, enough=THRESHOLD)


def narrowed(ranges: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return {k: r for k, r in ranges.items() if r[1] - r[0] < THRESHOLD}


def check_published(out: SimpleNamespace) -> None:
    """No count from 1 to 4 anywhere; no statistic from a table with a hidden count."""
    for path in (out.prevalence, out.subgroups, out.agreement):
        table = pd.read_csv(path)
        for column in [c for c in ("count", "nobs") if c in table.columns]:
            values = pd.to_numeric(table[column], errors="coerce")
            assert not values.between(1, THRESHOLD - 1).any(), (path, column)
        notes = " ".join(table.get("note", pd.Series(dtype=str)).dropna().astype(str))
        assert not re.search(r"\b[1-4] pair", notes) and "'" not in notes
    subgroups, tests = pd.read_csv(out.subgroups), pd.read_csv(out.tests)
    for _, t in tests.iterrows():
        rows = subgroups[(subgroups["measure"] == t["measure"]) & (subgroups["by"] == t["by"])]
        if rows[["count", "nobs"]].isna().any().any():
            assert pd.isna(t["statistic"]) and pd.isna(t["p_value"]), (t["measure"], t["by"])
    agreement = pd.read_csv(out.agreement)
    estimate = agreement["kappa"].notna() | agreement["agreement"].notna()
    assert not (estimate & agreement["nobs"].isna()).any()


SLOW = pytest.mark.pipeline  # the attacks take minutes


@SLOW
def test_the_attack_finds_what_primary_suppression_alone_leaves_open(attacker, tmp_path):
    """The attack can fail: with secondary suppression undone, it narrows hidden counts."""
    out = publish([ROOT / ".test/data/partnership_extract.xlsx"], tmp_path)
    table = pd.read_csv(out.plan, keep_default_na=False, na_values=[""])
    plan = read_plan(table, THRESHOLD)
    primary = {
        k for k in plan.hidden if 1 <= plan.values[k] < THRESHOLD
    }  # the counts that are small themselves
    table["hidden"] = table["cell"].isin({key_text(k) for k in primary})
    table.to_csv(out.plan, index=False)
    extract_analysis.extract_measures(
        out.reviews, str(CODEBOOK), out.plan, out.prevalence, "wilson", 0.05, THRESHOLD
    )
    tables = SimpleNamespace(prevalence=out.subgroups, tests=out.tests)
    extract_analysis.subgroups(
        out.reviews, str(CODEBOOK), out.plan, tables, "wilson", 0.05, THRESHOLD
    )
    assert len(narrowed(attack(attacker, out))) > 10


# The test extract's tables are attacked, and searched for small counts, as the pipeline
# publishes them (test_local_report.py); the generated extracts below check the rest.


# Extracts from a handful of reviews to a triennium's worth for a large partnership,
# spaced about evenly on a log scale (each attack takes seconds).
SIZES = [5, 7, 10, 14, 20, 30, 43, 60]


@SLOW
@pytest.mark.parametrize("reviews", SIZES)
def test_the_attack_recovers_nothing_from_a_generated_extract(attacker, tmp_path, reviews):
    book = load_codebook(CODEBOOK)
    raw = tmp_path / "extract.csv"
    generate_extract(book, reviews, seed=reviews).to_csv(raw, index=False)
    out = publish([raw], tmp_path)
    assert json.loads(Path(out.summary).read_text())["reviews"] == reviews
    assert narrowed(attack(attacker, out)) == {}
    check_published(out)


def test_plan_round_trips_through_its_table(tmp_path):
    values = {PUBLIC: 20, band("young"): 2, band("middle"): 8, band("old"): 10}
    plan = protect(values, set(values), [], CODES, THRESHOLD)
    table = plan_table(plan)
    table.to_csv(tmp_path / "plan.csv", index=False)
    again = read_plan(pd.read_csv(tmp_path / "plan.csv", keep_default_na=False), THRESHOLD)
    assert again.hidden == plan.hidden and again.values == plan.values
    assert isinstance(again, Plan)
