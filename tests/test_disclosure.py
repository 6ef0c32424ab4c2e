"""Disclosure control: primary and secondary suppression, checked by an attacker.

The attacker (tests/attack.py) is written apart from the suppression code: it finds
the relations among published counts itself and recomputes each hidden count's range
by integer programming. It runs on the `.test` extract and on the extracts generated
from the codebook (`SIZES`: 5 to 60 reviews), each through the same functions the
pipeline's rules run (tests/generated_attacks.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from generated_attacks import CODEBOOK, ROOT, SIZES, THRESHOLD
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import random_array

from triennial.analysis import disclosure
from triennial.analysis.disclosure import PUBLIC, Plan, plan_table, protect, read_plan
from triennial.analysis.measures import Where
from triennial.data.codebook import load_codebook
from triennial.data.errors import DataError
from triennial.data.extract import clean_extracts

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


def test_a_count_no_table_prints_is_protected_from_subtraction():
    """Bands 8, 10 printed of 20, the 2 in the third band not: 20 - 8 - 10 would give it.
    The 8 is hidden, and the third band can then be 0 to 10."""
    values = {PUBLIC: 20, band("young"): 8, band("middle"): 10, band("old"): 2}
    plan = protect(values, {PUBLIC, band("young"), band("middle")}, [], CODES, THRESHOLD)
    assert plan.hidden == {band("young")}
    low, high = plan.ranges[band("old")]
    assert high - low >= THRESHOLD


def test_every_cell_the_printed_ones_relate_to_needs_a_count():
    values = {PUBLIC: 20, band("young"): 8, band("middle"): 10}
    with pytest.raises(ValueError, match="age_band=old"):
        protect(values, set(values), [], CODES, THRESHOLD)


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


def random_programmes(count: int, seed: int = 1):
    """Random programmes as the audit builds them (entries +1 or -1, some rows equalities,
    some ranges), each one a table allows: (a, low, high, upper, rng)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        rows, n, upper = rng.integers(5, 60), rng.integers(5, 60), int(rng.integers(5, 40))
        signs = lambda size: rng.choice([-1.0, 1.0], size)  # noqa: E731
        a = random_array((rows, n), density=0.1, rng=rng, data_sampler=signs).tocsc()
        a.sort_indices()
        total = a @ rng.integers(0, upper + 1, n)  # a table the programme allows
        low = total - rng.choice([0, 0, upper], rows)
        high = total + rng.choice([0, 0, upper], rows)
        yield a, low, high, upper, rng


def one_cell(rng, n: int) -> np.ndarray:
    """An objective that pushes one cell up or down."""
    c = np.zeros(n)
    c[rng.integers(n)] = rng.choice([-1.0, 1.0])
    return c


@pytest.mark.parametrize("direct", [True, False])
def test_a_first_solve_is_the_one_milp_gives(monkeypatch, direct):
    """A programme's first solve hands HiGHS what `milp` hands it, so it gives `milp`'s
    solution (to the last bit), whichever way it is called."""
    if not direct:
        monkeypatch.setattr(disclosure, "_highs", None)
    solved = 0
    for a, low, high, upper, rng in random_programmes(40):
        c = one_cell(rng, a.shape[1])
        expected = milp(c, constraints=LinearConstraint(a, low, high), bounds=Bounds(0, upper))
        got = disclosure._Programme(a, low, high, upper).minimise(c)
        assert np.array_equal(got, expected.x)
        solved += got is not None
    assert solved == 40


def test_later_solves_start_warm_and_reach_milps_optimum():
    """Solves after the first start from the last basis: the table found may be another
    optimal one, but the optimum (a cell's smallest or largest value) is `milp`'s, and the
    table is one the programme allows."""
    for a, low, high, upper, rng in random_programmes(15, seed=2):
        programme = disclosure._Programme(a, low, high, upper)
        for _ in range(8):
            c = one_cell(rng, a.shape[1])
            bounds = Bounds(0, upper)
            expected = milp(c, constraints=LinearConstraint(a, low, high), bounds=bounds)
            got = programme.minimise(c)
            assert got @ c == pytest.approx(expected.fun, abs=1e-9)
            assert np.all(a @ got >= low - 1e-9) and np.all(a @ got <= high + 1e-9)
            assert np.all(got >= -1e-9) and np.all(got <= upper + 1e-9)


def test_a_fractional_optimum_is_solved_again_in_whole_numbers():
    """Three cells any two of which sum to at most 1: the linear optimum of their total is
    1.5 (each a half); the integer programme's is 1."""
    a = disclosure.csc_array(np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 1]]))
    c = -np.ones(3)
    programme = disclosure._Programme(a, np.zeros(3), np.ones(3), 1)
    assert programme.minimise(c) @ c == -1.5
    x, _ = programme.solve(c)
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


# --- the attacker (tests/attack.py) on generated extracts ----------------------------------------
# The attacks run in the background while the session goes on (tests/generated_attacks.py).
# The test extract's own tables are attacked, and searched for small counts, as the pipeline
# publishes them (test_local_report.py).

SLOW = pytest.mark.pipeline  # the attacks take about 35 CPU-s


@SLOW
def test_the_attack_finds_what_primary_suppression_alone_leaves_open(generated_attacks):
    """The attack can fail: on the test extract with secondary suppression undone, it
    narrows hidden counts."""
    assert len(generated_attacks["primary only"]["narrowed"]) > 10
    assert len(generated_attacks["primary only"]["worked_out"]) > 3


@SLOW
@pytest.mark.parametrize("reviews", SIZES)
def test_the_attack_recovers_nothing_from_a_generated_extract(generated_attacks, reviews):
    found = generated_attacks[str(reviews)]
    assert found["reviews"] == reviews
    assert found["narrowed"] == {}
    assert found["worked_out"] == {}
    assert found["problems"] == []


def test_plan_round_trips_through_its_table(tmp_path):
    values = {PUBLIC: 20, band("young"): 2, band("middle"): 8, band("old"): 10}
    plan = protect(values, set(values), [], CODES, THRESHOLD)
    table = plan_table(plan)
    table.to_csv(tmp_path / "plan.csv", index=False)
    again = read_plan(pd.read_csv(tmp_path / "plan.csv", keep_default_na=False), THRESHOLD)
    assert again.hidden == plan.hidden and again.values == plan.values
    assert isinstance(again, Plan)
