"""An attacker who tries to recompute what disclosure control hid, written apart from it.

It knows what a reader of the local report knows: the published tables (the
measures' counts n of N, the subgroup counts) and what each row counts (the
definitions in the report's methods, the codebook's codes). It does not use the
suppression code's cells or relations. Instead it finds every linear relation that
holds among the published counts for *any* set of reviews: each count is a sum over
reviews of an indicator, so a relation holds for every data set exactly when it holds
for every possible review. A large random sample of possible reviews (every code of
every column, drawn independently) gives the indicator matrix M; the relations are
its null space, put in reduced row echelon form (small integer coefficients).

The attack is then an integer programme: the hidden counts are whole numbers from 0
to the number of reviews, every shown count is fixed, every relation holds, and
0 <= n <= N in every row; it minimises and maximises each hidden count
(scipy.optimize.milp).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import qr
from scipy.optimize import Bounds, LinearConstraint, milp

from triennial.analysis.measures import definitions, with_derived
from triennial.analysis.subgroups import OUTCOMES
from triennial.data.codebook import AGE_BANDS, NOTED, Codebook


def possible_reviews(
    codebook: Codebook, size: int = 20000, seed: int = 7, extra: dict | None = None
) -> pd.DataFrame:
    """Random reviews with every coded column drawn independently over its codes
    (`extra`: codes of further columns, such as the financial year)."""
    rng = np.random.default_rng(seed)
    columns = {}
    for f in codebook.fields:
        codes = f.get("constraints", {}).get("enum")
        if codes:
            columns[f["name"]] = rng.choice(codes, size)
    for name, codes in (extra or {}).items():
        columns[name] = rng.choice(codes, size)
    return with_derived(pd.DataFrame(columns))


def subgroup_row(name: str, by: str, group: str) -> tuple:
    """(population, numerator) of a subgroup row: reports in the group noting `name`."""

    def population(d):
        return (d["report_status"] == "available") & (d[by] == group)

    def numerator(d):
        return d[name] == NOTED

    return population, numerator


def meanings(codebook: Codebook) -> dict[str, tuple]:
    """What each published row counts: name -> (population mask, numerator mask)."""
    out = {f"prevalence:{d.row_id}": (d.population, d.numerator) for d in definitions(codebook)}
    for name in codebook.characteristics():
        bands = [b for b in AGE_BANDS if b not in codebook.excluded_bands(name)]
        for by, groups in (("age_band", bands), ("outcome", OUTCOMES)):
            for g in groups:
                out[f"subgroup:{name}:{by}:{g}"] = subgroup_row(name, by, g)
    return out


COLUMNS = {"count": "n", "nobs": "N"}  # the tables' count columns: quantity names' suffixes


def published_counts(prevalence: pd.DataFrame, subgroups: pd.DataFrame) -> dict[str, float]:
    """Every published count by quantity name ('<row>:n', '<row>:N'); NaN where hidden."""
    out = {}
    for _, r in prevalence.iterrows():
        for column, short in COLUMNS.items():
            out[f"prevalence:{r['row_id']}:{short}"] = r[column]
    for _, r in subgroups.iterrows():
        for column, short in COLUMNS.items():
            out[f"subgroup:{r['measure']}:{r['by']}:{r['group']}:{short}"] = r[column]
    return {k: float(v) if pd.notna(v) else np.nan for k, v in out.items()}


def theme_meanings(themes: list[str], years: list[str]) -> dict[str, tuple]:
    """What the themes chapter counts (from its captions): reviews noting a theme of those
    coded for it, overall and in each financial year; reviews noting both of two themes
    (as n of the reviews noting the first)."""

    def coded(t):
        return lambda d: d[t].isin([NOTED, "not_noted"])

    def noted(t):
        return lambda d: d[t] == NOTED

    def in_year(t, y):
        return lambda d: d[t].isin([NOTED, "not_noted"]) & (d["financial_year"] == y)

    out = {f"theme:{t}": (coded(t), noted(t)) for t in themes}
    for i, a in enumerate(themes):
        for b in themes[i + 1 :]:
            out[f"pair:{a}:{b}"] = (noted(a), noted(b))
    for t in themes:
        for y in years:
            out[f"year:{t}:{y}"] = (in_year(t, y), noted(t))
    return out


def theme_counts(themes: pd.DataFrame, pairs: pd.DataFrame, years: pd.DataFrame) -> dict:
    """The themes chapter's published counts by quantity name; NaN where hidden. A pair's
    N (reviews noting its first theme) is that theme's n."""
    out = {}
    for _, r in themes.iterrows():
        out |= {f"theme:{r['theme']}:n": r["count"], f"theme:{r['theme']}:N": r["nobs"]}
    noting = dict(zip(themes["theme"], themes["count"], strict=True))
    for _, r in pairs.iterrows():
        key = f"pair:{r['theme_a']}:{r['theme_b']}"
        out |= {f"{key}:n": r["count"], f"{key}:N": noting[r["theme_a"]]}
    for _, r in years.iterrows():
        key = f"year:{r['theme']}:{r['year']}"
        out |= {f"{key}:n": r["count"], f"{key}:N": r["nobs"]}
    return {k: float(v) if pd.notna(v) else np.nan for k, v in out.items()}


def indicator_matrix(
    universe: pd.DataFrame, codebook: Codebook, rows: dict | None = None
) -> tuple[list[str], np.ndarray]:
    """Quantity names and, per possible review, whether each quantity counts it
    (`rows`: what each published row counts; the measures' and subgroups' by default)."""
    names, columns = ["all:N"], [np.ones(len(universe))]
    rows = meanings(codebook) if rows is None else rows
    for row, (population, numerator) in rows.items():
        pop = np.asarray(population(universe), dtype=bool)
        names += [f"{row}:n", f"{row}:N"]
        columns += [pop & np.asarray(numerator(universe), dtype=bool), pop]
    return names, np.column_stack(columns).astype(float)


def relations(m: np.ndarray) -> np.ndarray:
    """Rows a with m @ a = 0, in reduced row echelon form with integer coefficients."""
    patterns = np.unique(m, axis=0)
    _, s, vt = np.linalg.svd(patterns, full_matrices=False)
    rank = int((s > 1e-8 * s[0]).sum())
    basis = vt[rank:]  # (k, q): rows span the null space
    if not len(basis):
        return basis
    _, _, pivots = qr(basis, pivoting=True)
    pivots = np.sort(pivots[: len(basis)])
    rref = np.linalg.solve(basis[:, pivots], basis)
    rounded = np.round(rref)
    assert np.abs(rref - rounded).max() < 1e-6, "relations are not integer"
    assert not np.abs(patterns @ rounded.T).any(), "a relation does not hold"
    return rounded


SPREAD = 8  # random directions tried before each hidden count's own minimum and maximum


class Attack:
    """The attacker's model for one codebook: quantities and the relations among them."""

    def __init__(self, codebook: Codebook, size: int = 20000, rows: dict | None = None, extra=None):
        universe = possible_reviews(codebook, size, extra=extra)
        self.names, m = indicator_matrix(universe, codebook, rows)
        self.relations = relations(m)

    def ranges(
        self, shown: dict[str, float], reviews: int, enough: float = np.inf
    ) -> dict[str, tuple[int, int]]:
        """Smallest and largest value of each hidden quantity consistent with `shown`.

        Quantities not in `shown` (rows not published: no reviews in the population)
        are counted as shown zeros, as a reader would infer from their absence. With
        `enough`, a quantity is left once two solutions of the programme (tables consistent
        with `shown`) give it values at least `enough` apart: its range is then at least
        that wide, and the attack has failed on it.
        """
        value = np.array(
            [reviews if n == "all:N" else shown.get(n, 0.0) for n in self.names], float
        )
        hidden = np.isnan(value)
        if not hidden.any():
            return {}
        index = {n: i for i, n in enumerate(self.names)}
        h = np.flatnonzero(hidden)
        a = self.relations[:, h]
        b = -self.relations[:, ~hidden] @ value[~hidden]
        constraints = [LinearConstraint(a, b, b)]
        # 0 <= n <= N in every row: n - N <= 0 with the shown one moved to the bound.
        rows = []
        for name in self.names:
            if name.endswith(":n"):
                i, j = index[name], index[name[:-1] + "N"]
                if hidden[i] or hidden[j]:
                    rows.append((i, j))
        if rows:
            ineq = np.zeros((len(rows), len(h)))
            upper = np.zeros(len(rows))
            position = {q: k for k, q in enumerate(h)}
            for r, (i, j) in enumerate(rows):
                for q, sign in ((i, 1.0), (j, -1.0)):
                    if hidden[q]:
                        ineq[r, position[q]] += sign
                    else:
                        upper[r] -= sign * value[q]
            constraints.append(LinearConstraint(ineq, -np.inf, upper))
        bounds = Bounds(np.zeros(len(h)), np.full(len(h), float(reviews)))
        low = np.full(len(h), np.inf)  # the values each quantity takes in the solutions found
        high = np.full(len(h), -np.inf)

        def solve(c):
            nonlocal low, high
            # A linear optimum in whole numbers is the integer optimum: try it first.
            result = milp(c, constraints=constraints, bounds=bounds)
            if not (result.success and np.allclose(result.x, np.round(result.x), atol=1e-9)):
                whole = np.ones(len(h))
                result = milp(c, constraints=constraints, integrality=whole, bounds=bounds)
            assert result.success, f"the published tables are inconsistent: {result.message}"
            x = np.round(result.x)
            low, high = np.minimum(low, x), np.maximum(high, x)

        if np.isfinite(enough):  # a few tables pushed in random directions spread most counts
            rng = np.random.default_rng(0)
            for _ in range(SPREAD):
                solve(rng.choice([-1.0, 1.0], len(h)))
        for k in range(len(h)):
            for sign in (1.0, -1.0):
                if high[k] - low[k] >= enough:
                    break
                c = np.zeros(len(h))
                c[k] = sign
                solve(c)
        return {self.names[q]: (int(low[k]), int(high[k])) for k, q in enumerate(h)}
