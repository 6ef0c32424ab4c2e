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

It also goes after cells no table prints (`Attack.cells`), as a reader with a calculator
would: one published set less another inside it (17 reports noting domestic abuse less
the 15 noting it and neglect), and any published population split by one code of a
coded column, where that cell is a sum of published counts (40 reviews less those with
each social-care code shown). A cell of 1 to threshold - 1 reviews that the programme
narrows to fewer than threshold values is disclosed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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


def quantities(rows: dict) -> dict[str, object]:
    """Each published quantity ('all:N', '<row>:n', '<row>:N') as a function giving which
    reviews of a frame it counts."""

    def counts(population, numerator=None):
        if numerator is None:
            return lambda d: np.asarray(population(d), dtype=bool)
        return lambda d: counts(population)(d) & counts(numerator)(d)

    out = {"all:N": lambda d: np.ones(len(d), dtype=bool)}
    for row, (population, numerator) in rows.items():
        out[f"{row}:n"] = counts(population, numerator)
        out[f"{row}:N"] = counts(population)
    return out


@dataclass
class Cells:
    """Cells no table prints that are sums of published counts (`unprinted_cells`)."""

    names: list[str]
    coefficients: np.ndarray  # cell by quantity: the cell's count is coefficients @ counts
    # Which reviews each holds: (a, b), those quantity a counts and b does not; or
    # (a, column, code), those quantity a counts with that code.
    holds: list[tuple]

    def members(self, counted: np.ndarray, data: pd.DataFrame) -> np.ndarray:
        """Review by cell: whether the cell holds it (`counted`: review by quantity)."""
        has = {}
        columns = []
        for h in self.holds:
            if len(h) == 2:
                columns.append(counted[:, h[0]] & ~counted[:, h[1]])
            else:
                if h[1:] not in has:
                    has[h[1:]] = (data[h[1]] == h[2]).to_numpy()
                columns.append(counted[:, h[0]] & has[h[1:]])
        return np.column_stack(columns) if columns else np.zeros((len(data), 0), bool)


def unprinted_cells(universe: pd.DataFrame, codebook: Codebook, names: list[str], m) -> Cells:
    """The cells a reader can work out as sums of published counts (m: the universe's
    indicator matrix): a published set less a published set inside it ('A - B'), and a
    published population split by a code ('A & column=code') where every possible review
    shows it is a sum of published counts. One cell under several names is kept once."""
    patterns, pattern = np.unique(m.astype(bool), axis=0, return_inverse=True)
    out = Cells([], np.zeros((0, len(names))), [])
    seen: set[bytes] = set()

    def add(bits, name, holds, coefficients):  # bits: the patterns in each cell, packed
        kept = []
        for k, key in enumerate(map(bytes, bits)):
            if key not in seen:
                seen.add(key)
                kept.append(k)
        out.names.extend(name(k) for k in kept)
        out.holds.extend(holds(k) for k in kept)
        out.coefficients = np.vstack([out.coefficients, *(coefficients(k) for k in kept)])

    # A - B: B inside A on every pattern, and not the same set.
    inside = (patterns.T.astype(float) @ (~patterns).astype(float)) == 0  # [b, a]: b in a
    np.fill_diagonal(inside, False)
    b, a = np.nonzero(inside)
    bits = np.packbits(patterns, axis=0).T  # quantity by pattern, 8 patterns a byte
    differ = (bits[a] & ~bits[b]).any(axis=1)
    a, b = a[differ], b[differ]

    def difference(k):
        c = np.zeros(len(names))
        c[a[k]], c[b[k]] = 1.0, -1.0
        return c

    add(bits[a] & ~bits[b], lambda k: f"{names[a[k]]} - {names[b[k]]}",
        lambda k: (a[k], b[k]), difference)  # fmt: skip

    # A & column=code, for every published population A: kept where it is a sum of counts.
    populations = {}
    for k, quantity in enumerate(names):
        if quantity.endswith(":N"):
            populations.setdefault(np.packbits(patterns[:, k]).tobytes(), k)
    # A sum of published counts is the same for every review of one pattern: per pattern,
    # the cell holds all of its reviews or none.
    size = np.bincount(pattern)
    population = np.array(list(populations.values()), dtype=np.int64)
    within = patterns[:, population]  # pattern by population
    candidates, columns = [], []
    for f in codebook.fields:
        for code in f.get("constraints", {}).get("enum", []):
            with_code = np.bincount(pattern, weights=(universe[f["name"]] == code).to_numpy())
            split = (with_code > 0) & (with_code < size)  # patterns the code splits
            for k in population[~(within & split[:, None]).any(axis=0)].tolist():
                candidates.append((k, f["name"], code))
                columns.append(patterns[:, k] & (with_code == size))
    t = np.array(columns, dtype=float).T
    u, s, vt = np.linalg.svd(patterns.astype(float), full_matrices=False)
    r = int((s > 1e-8 * s[0]).sum())
    c = u[:, :r].T @ t  # t's coordinates in the patterns' column space (u: orthonormal)
    x = vt[:r].T @ (c / s[:r, None])  # least squares: patterns @ x = t
    # t is a sum of published counts where nothing of it lies outside that space: |t|^2 -
    # |c|^2 (t is 0 or 1), without the product patterns @ x (patterns by candidates).
    exact = t.sum(axis=0) - (c * c).sum(axis=0) < 1e-6
    candidates = [c for c, e in zip(candidates, exact, strict=True) if e]
    t, x = t[:, exact] > 0, x[:, exact]

    def name(k):
        population, column, code = candidates[k]
        return f"{names[population]} & {column}={code}"

    add(np.packbits(t, axis=0).T, name, lambda k: candidates[k], lambda k: x[:, k])
    return out


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
        self.masks = quantities(meanings(codebook) if rows is None else rows)
        self.names = list(self.masks)
        m = np.column_stack([f(universe) for f in self.masks.values()]).astype(float)
        self.relations = relations(m)
        self._universe, self._codebook, self._m = universe, codebook, m

    @cached_property
    def cells_to_try(self) -> Cells:
        return unprinted_cells(self._universe, self._codebook, self.names, self._m)

    def _programme(self, shown: dict[str, float], reviews: int):
        """The values of the quantities (NaN where hidden), the hidden ones' indices, and
        the programme's constraints and bounds on them."""
        value = np.array(
            [reviews if n == "all:N" else shown.get(n, 0.0) for n in self.names], float
        )
        hidden = np.isnan(value)
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
        return value, h, constraints, bounds

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
        value, h, constraints, bounds = self._programme(shown, reviews)
        if not len(h):
            return {}
        objectives = np.eye(len(h))
        low, high = _spread(objectives, constraints, bounds, enough)
        return {self.names[q]: (int(low[k]), int(high[k])) for k, q in enumerate(h)}

    def cells(
        self, shown: dict[str, float], data: pd.DataFrame, threshold: int
    ) -> dict[str, tuple[int, int]]:
        """The unprinted cells (`unprinted_cells`) of 1 to threshold - 1 reviews of `data`
        that the programme narrows to fewer than `threshold` values, with their ranges."""
        value, h, constraints, bounds = self._programme(shown, len(data))
        counted = np.column_stack([f(data) for f in self.masks.values()])
        sizes = self.cells_to_try.members(counted, data).sum(axis=0)
        small = np.flatnonzero((sizes >= 1) & (sizes < threshold))
        c = self.cells_to_try.coefficients[small]
        known = c[:, ~np.isnan(value)] @ value[~np.isnan(value)]
        low = high = np.zeros(len(small))
        if len(h) and len(small):
            low, high = _spread(c[:, h], constraints, bounds, threshold)
        low, high = np.round(low + known).astype(int), np.round(high + known).astype(int)
        names = [self.cells_to_try.names[k] for k in small]
        ranges = zip(names, low, high, strict=True)
        return {n: (int(lo), int(hi)) for n, lo, hi in ranges if hi - lo < threshold}


def _spread(objectives: np.ndarray, constraints, bounds, enough: float):
    """Smallest and largest value of each objective row @ x over the programme, or two
    values at least `enough` apart (`Attack.ranges`)."""
    low = np.full(len(objectives), np.inf)  # the values each takes in the solutions found
    high = np.full(len(objectives), -np.inf)
    n = objectives.shape[1]

    def solve(c):
        nonlocal low, high
        # A linear optimum in whole numbers is the integer optimum: try it first.
        result = milp(c, constraints=constraints, bounds=bounds)
        if not (result.success and np.allclose(result.x, np.round(result.x), atol=1e-9)):
            result = milp(c, constraints=constraints, integrality=np.ones(n), bounds=bounds)
        assert result.success, f"the published tables are inconsistent: {result.message}"
        values = objectives @ np.round(result.x)
        low, high = np.minimum(low, values), np.maximum(high, values)

    if np.isfinite(enough):  # a few tables pushed in random directions spread most counts
        rng = np.random.default_rng(0)
        for _ in range(SPREAD):
            solve(rng.choice([-1.0, 1.0], n))
    for k in range(len(objectives)):
        for sign in (1.0, -1.0):
            if high[k] - low[k] >= enough:
                break
            solve(sign * objectives[k])
    return low, high
