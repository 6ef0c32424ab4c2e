"""Disclosure control for everything published from a partnership's review extract.

A local partnership's reviews are about a handful of identifiable children, so no count
of them from 1 to threshold - 1 may be published, nor anything it can be worked out
from. The design is the one official statisticians use for linked tables (tau-Argus,
sdcTable: primary and secondary cell suppression with an audit):

- Cells. Every count published from an extract is the number of reviews in a cell:
  the reviews whose columns hold given codes (a `measures.Where`). One cell printed in
  two tables is one cell, so it is hidden in both or in neither. A row n of N also
  publishes its rest N - n (a cell too).
- Public. The number of reviews in the extract (the cell with no condition) is always
  published: the report is about them. No other count is public by policy.
- Primary suppression. A count from 1 to threshold - 1 is hidden; a row whose rest is
  that small has its n hidden.
- Unprinted cells. A cell no table prints can still be worked out by difference (17
  reports note domestic abuse, 15 of those note neglect: 2 note it without neglect).
  Every cell of the relations below is counted, and a small one, printed or not, is
  audited like a hidden cell.
- Secondary suppression. Cells are related by addition: a cell is the sum of its
  sub-cells split by the codes of one column (all reviews = the age bands; the
  reports = reports in each age band; reports noting X = deaths noting X + serious
  harm noting X). The audit finds, by integer programming over these relations with
  every shown count fixed, how far apart two values of each hidden cell can be.
  While a hidden cell's range is narrower than the threshold (largest - smallest <
  threshold), or a small unprinted cell's is, the smallest shown count that shares a
  relation with it is hidden too (zeros last: they widen nothing), and the audit is
  run again. Hiding more only widens ranges, so a cell once protected stays protected.
- Witnesses. Every solution of the integer programme is a table consistent with
  everything shown, and stays one when more is hidden; the values it gives every cell
  are kept. A cell whose kept values already span the threshold is protected without
  solving anything. Two tables per component, the cells to audit pushed up together
  and then down, span most of them at once (the solver then runs for a few cells, not
  for all of them), and each solve starts from the last one's basis (`_Programme`).
- Derived numbers. An estimate, interval, percentage or test statistic is shown only
  when every count it is computed from is shown (`Plan.shows`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csc_array, csr_array
from scipy.sparse.csgraph import connected_components

try:  # HiGHS as scipy bundles it for `milp` (see `_Programme`): a private module, so checked
    from scipy.optimize._highspy import _core as _highs

    for _name in ("HighsLp", "HighsModelStatus", "HighsOptions", "HighsVarType", "MatrixFormat",
                  "_Highs"):  # fmt: skip
        getattr(_highs, _name)  # each one used below: else the fallback
    getattr(_highs._Highs, "changeColsCost")  # noqa: B009 - checked like the others
except (ImportError, AttributeError):  # pragma: no cover - a scipy that bundles it otherwise
    _highs = None

from triennial.analysis.measures import (
    Where,
    codes,
    definitions,
    equals,
    finder,
    noted,
    with_derived,
    with_report,
)
from triennial.analysis.small_counts import is_small
from triennial.analysis.subgroups import subgroup_cells

Key = tuple[tuple[str, tuple[str, ...]], ...]
PUBLIC: Key = ()  # all reviews


def cell_key(where, codes: dict[str, tuple[str, ...]]) -> Key:
    """A cell's conditions in one canonical form (a column holding any code is no condition)."""
    out = []
    for column, chosen in sorted(where.conditions):
        domain = codes[column]
        if set(domain) <= set(chosen):
            continue
        out.append((column, tuple(c for c in domain if c in chosen)))
    return tuple(out)


def _with(parent: Key, column: str, code: str) -> Key:
    return tuple(sorted((*parent, (column, (code,)))))


def relations(keys, codes: dict[str, tuple[str, ...]]) -> set[tuple[Key, tuple[Key, ...]]]:
    """(cell, its sub-cells) pairs: each cell is the sum of its sub-cells.

    For every cell and every column it conditions on: the cell without that condition
    splits into one sub-cell per code; and a cell that allows several codes is the sum
    of its one-code sub-cells.
    """
    out = set()
    for key in keys:
        for i, (column, chosen) in enumerate(key):
            parent = key[:i] + key[i + 1 :]
            out.add((parent, tuple(_with(parent, column, c) for c in codes[column])))
            if len(chosen) > 1:
                out.add((key, tuple(_with(parent, column, c) for c in chosen)))
    return out


def published_relations(printed, rests, codes: dict[str, tuple[str, ...]]) -> set:
    """The relations (see `relations`) of the printed cells and the rests."""
    return relations(set(printed) | {rest for rest, _ in rests} | {PUBLIC}, codes)


@dataclass
class Plan:
    """Which cells are hidden, and for each hidden cell two values it can take given
    everything shown (at least the threshold apart once the cell is protected; see
    `_Audit.range`)."""

    threshold: int
    values: dict[Key, int]
    hidden: set[Key] = field(default_factory=set)
    printed: set[Key] = field(default_factory=set)
    ranges: dict[Key, tuple[int, int]] = field(default_factory=dict)

    def shows(self, *keys: Key) -> bool:
        """True when every one of these counts may be published (and so what is computed
        from them)."""
        return self.threshold == 0 or not any(k in self.hidden for k in keys)

    def shown(self, key: Key):
        """The count of a cell, or None when it is hidden."""
        return self.values[key] if self.shows(key) else None


class _Programme:
    """The linear programme min c @ x, low <= a @ x <= high, 0 <= x <= upper, kept in HiGHS
    between solves (`a` with each column's rows in order).

    Only the objective changes from one solve to the next, so HiGHS starts each solve from
    the last optimal basis: a few pivots instead of a solve from scratch (the audit solves
    hundreds of programmes over one component). The first solve is a cold one, handed to
    HiGHS as `milp` hands it (the same model, the same options: so the same solution), but
    directly: `milp` spends about as long again as the solve itself on checking its input
    and on results not used here.
    """

    def __init__(self, a: csc_array, low, high, upper: int):
        self.a, self.low, self.high, self.upper = a, low, high, upper
        self._solver = None
        if _highs is None:  # another scipy: the same solver through `milp`, cold, slower
            return
        n = a.shape[1]
        lp = _highs.HighsLp()
        lp.num_col_, lp.num_row_ = n, a.shape[0]
        matrix = lp.a_matrix_
        matrix.num_col_, matrix.num_row_ = n, a.shape[0]
        matrix.format_ = _highs.MatrixFormat.kColwise
        # As lists: HiGHS takes these several times faster than numpy arrays of int32.
        matrix.start_, matrix.index_, matrix.value_ = (
            v.tolist() for v in (a.indptr, a.indices, a.data)
        )
        lp.col_cost_, lp.col_lower_ = np.zeros(n), np.zeros(n)  # the cost: set by each solve
        lp.col_upper_ = np.full(n, float(upper))
        lp.row_lower_, lp.row_upper_ = low, high
        lp.integrality_ = [_highs.HighsVarType.kContinuous] * n
        options = _highs.HighsOptions()
        options.log_to_console = False
        self._solver = _highs._Highs()
        self._solver.passOptions(options)
        self._solver.passModel(lp)
        self._columns = np.arange(n, dtype=np.int32)

    def minimise(self, c) -> np.ndarray | None:
        """The optimum, or None when there is none."""
        if self._solver is None:
            result = milp(c, **self._milp_model())
            return result.x if result.success else None
        self._solver.changeColsCost(len(c), self._columns, np.asarray(c, dtype=float))
        self._solver.run()
        if self._solver.getModelStatus() != _highs.HighsModelStatus.kOptimal:
            return None
        return np.array(self._solver.getSolution().col_value)

    def solve(self, c) -> tuple[np.ndarray | None, str]:
        """The integer optimum of min c @ x (None if there is none) and the solver's message.
        The linear optimum first: when it is whole numbers it is the integer optimum too
        (the usual case for tables that add up), and the integer solver, several times
        slower, is not needed."""
        relaxed = self.minimise(c)
        if relaxed is not None and np.all(np.abs(relaxed - np.round(relaxed)) <= 1e-9):
            return relaxed, ""
        result = milp(c, integrality=np.ones(len(c)), **self._milp_model())
        return (result.x if result.success else None), result.message

    def _milp_model(self) -> dict:
        rows, n = self.a.shape
        return {
            "constraints": [LinearConstraint(self.a, self.low, self.high)] if rows else [],
            "bounds": Bounds(np.zeros(n), np.full(n, float(self.upper))),
        }


class _Audit:
    """The integer programme: relations among cells, shown cells fixed.

    Cells and relations are numbered (cells in sorted order, so sorting numbers sorts
    keys), and each component's programme is built by numpy from one list of links (a
    cell in a relation) rather than cell by cell: one is built each time a newly hidden
    cell changes the free cells.
    """

    def __init__(self, rels, values: dict[Key, int], printed: set[Key]):
        self.rels = sorted(rels)
        in_each = [(parent, *parts) for parent, parts in self.rels]
        self.cells = sorted({k for m in in_each for k in m} | set(values))
        self.number = {k: j for j, k in enumerate(self.cells)}
        # Each link: its relation, its cell, +1 for the cell the relation sums to and -1 for
        # each part. In column order (by cell, then relation): any programme's links, taken
        # in this order, are its matrix as the solver takes it (column by column).
        rel = np.repeat(np.arange(len(in_each)), [len(m) for m in in_each])
        cell = np.array([self.number[k] for m in in_each for k in m], dtype=np.int64)
        sign = np.array([1.0 if i == 0 else -1.0 for m in in_each for i in range(len(m))])
        order = np.lexsort((rel, cell))
        self.rel, self.cell, self.sign = rel[order], cell[order], sign[order]
        shape = (len(self.rels), len(self.cells))
        self.members = csr_array((np.ones(len(rel)), (rel, cell)), shape=shape)  # 1: in it
        self.memberships = self.members.T.tocsr()  # the same, cell by relation
        self.upper = values[PUBLIC]
        self.value = np.array([values[k] for k in self.cells], dtype=float)  # all counted
        self.is_printed = np.zeros(len(self.cells), dtype=bool)
        self.is_printed[[self.number[k] for k in printed]] = True
        # The smallest and largest value each cell takes in a table consistent with what is
        # shown (the true table is one; every solution below is another).
        self.low = self.value.astype(np.int64)
        self.high = self.low.copy()
        self.is_free = ~self.is_printed
        # Free cells and relations as one graph (a relation linked to its free cells).
        free = self.is_free[self.cell]
        graph = coo_array(
            (np.ones(free.sum()), (self.rel[free], len(self.rels) + self.cell[free])),
            shape=(len(self.rels) + len(self.cells),) * 2,
        )
        labels = connected_components(graph, directed=False)[1]
        self.rel_label, self.cell_label = labels[: len(self.rels)], labels[len(self.rels) :]
        self._hidden_size = 0
        self._kept = None  # the last component's programme, by (label, hidden size)

    def _update(self, hidden: set[Key]) -> None:
        """The free cells and their components, brought up to date with `hidden` (which only
        grows: its size dates them).

        A component: the free cells and relations linked to a cell through free cells,
        numbered alike (a cell's or relation's `label`). A cell newly hidden joins its
        relations' components into one.
        """
        if self._hidden_size == len(hidden):
            return
        self._hidden_size = len(hidden)
        for j in sorted(self.number[k] for k in hidden):
            if self.is_free[j]:
                continue
            self.is_free[j] = True
            rels = self.memberships.indices[
                self.memberships.indptr[j] : self.memberships.indptr[j + 1]
            ]
            joined = np.union1d(self.rel_label[rels], self.cell_label[j])
            self.rel_label[np.isin(self.rel_label, joined)] = joined[0]
            self.cell_label[np.isin(self.cell_label, joined)] = joined[0]

    def _programme(self, label) -> tuple[_Programme, np.ndarray]:
        """The programme of one component (free cells up to date): a row per relation of
        the component, a column per free cell of it; and those cells. Kept for the next
        call while the component stays the same (see `_Programme`)."""
        if self._kept is not None and self._kept[0] == (label, self._hidden_size):
            return self._kept[1]
        in_component = self.rel_label == label
        row = np.cumsum(in_component) - 1  # the programme's row of each of its relations
        free = self.is_free & (self.cell_label == label)
        column = np.cumsum(free) - 1
        links = in_component[self.rel]
        cell, sign, row = self.cell[links], self.sign[links], row[self.rel[links]]
        n_rows = int(in_component.sum())
        shown = ~self.is_free[cell]
        fixed = 0.0 - np.bincount(
            row[shown], weights=sign[shown] * self.value[cell[shown]], minlength=n_rows
        )  # 0.0 - : +0.0 where nothing is shown, never -0.0
        linked = free[cell]
        kept = np.flatnonzero(free)
        start = np.zeros(len(kept) + 1, dtype=np.int32)
        np.cumsum(np.bincount(column[cell[linked]], minlength=len(kept)), out=start[1:])
        shape = (n_rows, len(kept))
        a = csc_array((sign[linked], row[linked].astype(np.int32), start), shape=shape)
        programme = (_Programme(a, fixed, fixed, self.upper), kept)
        self._kept = ((label, self._hidden_size), programme)
        return programme

    def range(self, key: Key, hidden: set[Key], threshold: int) -> tuple[int, int]:
        """Two values of `key`, each consistent with everything shown: at least `threshold`
        apart if the cell can take such values, else its smallest and largest."""
        j = self.number[key]
        if self.high[j] - self.low[j] >= threshold:
            return int(self.low[j]), int(self.high[j])
        self._update(hidden)
        programme, kept = self._programme(self.cell_label[j])
        at = np.searchsorted(kept, j)
        for sign in (1.0, -1.0):
            c = np.zeros(len(kept))
            c[at] = sign
            self._witness(programme, c, kept, key)
            if self.high[j] - self.low[j] >= threshold:
                break
        return int(self.low[j]), int(self.high[j])

    def spread(self, keys, hidden: set[Key]) -> None:
        """Push these cells up together, then down, in each of their components: two
        tables per component that already show most of them wide (so `range` solves only
        for the rest)."""
        self._update(hidden)
        cells = np.array(sorted(self.number[k] for k in keys), dtype=np.int64)
        for label in np.unique(self.cell_label[cells]):
            these = cells[self.cell_label[cells] == label]
            programme, kept = self._programme(label)
            for sign in (1.0, -1.0):
                self._witness(programme, sign * np.isin(kept, these), kept, these)

    def _witness(self, programme: _Programme, c, kept, about) -> None:
        """Solve min c @ x and keep the values the table found gives the kept cells."""
        x, message = programme.solve(c)
        if x is None:
            raise RuntimeError(f"disclosure audit failed for {about}: {message}")
        value = np.round(x).astype(np.int64)
        self.low[kept] = np.minimum(self.low[kept], value)
        self.high[kept] = np.maximum(self.high[kept], value)

    def neighbours(self, key: Key, hidden: set[Key]) -> list[Key]:
        """Shown, non-public cells that share a relation with `key` or with free cells
        linked to it (nearest first)."""
        self._update(hidden)
        seen = np.zeros(len(self.cells), dtype=bool)
        frontier = seen.copy()
        frontier[self.number[key]] = seen[self.number[key]] = True
        while frontier.any():
            touched = (self.members @ frontier) > 0
            reached = ((self.memberships @ touched) > 0) & ~seen
            seen |= reached
            found = reached & ~self.is_free
            found[self.number[PUBLIC]] = False
            if found.any():
                return [self.cells[k] for k in np.flatnonzero(found)]
            frontier = reached & self.is_free
        return []


def protect(
    values: dict[Key, int],
    printed: set[Key],
    rests: list[tuple[Key, Key]],
    codes: dict[str, tuple[str, ...]],
    threshold: int,
) -> Plan:
    """Primary and secondary suppression of the printed cells (see the module docstring).

    `values`: every cell's count: the printed cells, the rests, the public total and
    every other cell of their relations (`published_relations`);
    `rests`: (rest cell, n cell) pairs: the n is hidden when the rest is small.
    """
    plan = Plan(threshold, values, printed=set(printed))
    if threshold == 0:
        return plan
    if values[PUBLIC] < threshold:  # no count can be protected: show only the total
        plan.hidden = set(printed) - {PUBLIC}
        return plan
    rels = published_relations(printed, rests, codes)
    uncounted = sorted({k for parent, parts in rels for k in (parent, *parts)} - set(values))
    if uncounted:  # an uncounted cell could not be audited: it could be disclosed
        raise ValueError(f"cells without a count: {[key_text(k) for k in uncounted[:5]]}")
    hidden = {k for k in printed if k != PUBLIC and is_small(values[k], threshold)}
    hidden |= {n for rest, n in rests if is_small(values[rest], threshold)}
    unprinted = {k for k in values if k not in printed and is_small(values[k], threshold)}
    audit = _Audit(rels, values, printed)
    queue = deque([*sorted(hidden), *sorted(unprinted)])
    audit.spread(queue, hidden)
    while queue:
        key = queue.popleft()
        low, high = audit.range(key, hidden, threshold)
        while high - low < threshold:
            candidates = audit.neighbours(key, hidden)
            if not candidates:  # too few reviews: nothing more can be hidden
                break
            added = min(candidates, key=lambda k: (values[k] == 0, values[k], k))
            hidden.add(added)
            queue.append(added)
            low, high = audit.range(key, hidden, threshold)
        plan.ranges[key] = (low, high)
    plan.hidden = hidden
    return plan


@dataclass(frozen=True)
class Row:
    """A published row n of N: its two cells and its rest (N - n)."""

    n: Key
    N: Key
    rest: Key


def row(population, numerator, codes: dict[str, tuple[str, ...]]) -> Row:
    """The cells of the row counting `count` among `population` (one-column numerator)."""
    ((column, chosen),) = numerator.conditions
    within = dict(population.conditions).get(column, frozenset(codes[column]))
    rest = Where(((column, within - chosen),))
    return Row(
        cell_key(population & numerator, codes),
        cell_key(population, codes),
        cell_key(population & rest, codes),
    )


def extract_rows(codebook) -> dict[tuple, tuple[Where, Where]]:
    """Every row published from an extract, by name: (population, numerator).

    ("prevalence", row_id) for the published measures; ("subgroup", measure, by, group)
    for the subgroup tables.
    """
    rows = {("prevalence", d.row_id): (d.population, d.numerator) for d in definitions(codebook)}
    for name, by, group in subgroup_cells(codebook):
        rows[("subgroup", name, by, group)] = (with_report & equals(by, group), noted(name))
    return rows


def extract_cells(codebook) -> dict[tuple, Row]:
    """The cells of every row published from an extract, by name (see `extract_rows`)."""
    codes_ = codes(codebook)
    return {name: row(p, n, codes_) for name, (p, n) in extract_rows(codebook).items()}


def cell_counts(reviews: pd.DataFrame, keys: list[Key]) -> dict[Key, int]:
    """The number of reviews in each cell. Cells share most of their conditions: each
    condition's reviews are found once (`finder`), and a cell's are those meeting all its."""
    meeting = finder(reviews)
    return {key: int(meeting(Where(key)).sum()) for key in keys}


def extract_plan(
    reviews, codebook, threshold: int, extra: dict | None = None, extra_codes: dict | None = None
) -> tuple[Plan, dict[tuple, Row]]:
    """Count every cell published from the extract's `reviews` and protect them.

    `extra`: further published rows by name, (population, numerator), such as the
    learning themes' (`analysis.themes`), with `extra_codes`, the codes of any column
    they use that `reviews` has beyond the codebook's. Returns the plan and the published
    rows' cells by name (see `extract_rows`).
    """
    codes_ = codes(codebook) | (extra_codes or {})
    reviews = with_derived(reviews)
    cells = extract_cells(codebook)
    cells |= {name: row(p, n, codes_) for name, (p, n) in (extra or {}).items()}
    printed = {PUBLIC} | {k for c in cells.values() for k in (c.n, c.N)}
    rests = sorted({(c.rest, c.n) for c in cells.values()})
    keys = printed | {rest for rest, _ in rests}
    if threshold:  # the cells a reader can work out from them, to audit the small ones
        keys |= {k for p, parts in published_relations(printed, rests, codes_) for k in (p, *parts)}
    values = cell_counts(reviews, sorted(keys))
    return protect(values, printed, rests, codes_, threshold), cells


def key_text(key: Key) -> str:
    """'report_status=available & age_band=1_to_5|6_to_10'; '' for all reviews."""
    return " & ".join(f"{column}={'|'.join(chosen)}" for column, chosen in key)


def text_key(text: str) -> Key:
    """The inverse of `key_text`."""
    if not text:
        return PUBLIC
    pairs = (part.split("=", 1) for part in text.split(" & "))
    return tuple((column, tuple(chosen.split("|"))) for column, chosen in pairs)


def plan_table(plan: Plan) -> pd.DataFrame:
    """The plan as a table: every cell, its count, whether it is hidden, its audited range."""
    rows = [
        {
            "cell": key_text(k),
            "count": v,
            "printed": k in plan.printed,
            "hidden": k in plan.hidden,
            "low": plan.ranges.get(k, (None, None))[0],
            "high": plan.ranges.get(k, (None, None))[1],
        }
        for k, v in sorted(plan.values.items())
    ]
    return pd.DataFrame(rows, columns=["cell", "count", "printed", "hidden", "low", "high"])


def read_plan(table: pd.DataFrame, threshold: int) -> Plan:
    """The plan from `plan_table`'s table."""
    table = table.fillna({"cell": ""})
    values = {text_key(c): int(v) for c, v in zip(table["cell"], table["count"], strict=True)}
    hidden = {text_key(c) for c in table.loc[table["hidden"].astype(bool), "cell"]}
    printed = {text_key(c) for c in table.loc[table["printed"].astype(bool), "cell"]}
    return Plan(threshold, values, hidden, printed)


COUNTS = ("count", "nobs")
DERIVED = ("estimate", "ci_low", "ci_upp")


def protect_rows(table: pd.DataFrame, plan: Plan, cells: list[Row]) -> pd.DataFrame:
    """Blank each count the plan hides, and the estimate and interval of any row with one;
    add `suppressed`. `cells[i]` are the cells of row i. Threshold 0: unchanged."""
    if plan.threshold == 0:
        return table
    out = table.copy()
    hide_n = pd.Series([not plan.shows(c.n) for c in cells], index=out.index)
    hide_big_n = pd.Series([not plan.shows(c.N) for c in cells], index=out.index)
    either = hide_n | hide_big_n
    for column, hide in (("count", hide_n), ("nobs", hide_big_n), *((d, either) for d in DERIVED)):
        if column in out.columns:
            out[column] = out[column].astype(object).where(~hide, None)
    out["suppressed"] = either
    return out


WITHHELD = "withheld: computed from a table with a suppressed count"


def protect_tests(tests: pd.DataFrame, plan: Plan, cells: list[list[Row]]) -> pd.DataFrame:
    """Withhold every test statistic computed from a table with a hidden count.

    `cells[i]` are the rows (one per group) of test i's table.
    """
    if plan.threshold == 0:
        return tests
    out = tests.copy()
    hide = pd.Series(
        [not plan.shows(*(k for r in rows for k in (r.n, r.N))) for rows in cells],
        index=out.index,
    )
    for column in ("statistic", "dof", "p_value"):
        out[column] = out[column].astype(object).where(~hide, None)
    out["note"] = out["note"].astype(object).where(~hide, WITHHELD)
    return out


def protect_agreement(table: pd.DataFrame, crosstabs: list, threshold: int) -> pd.DataFrame:
    """Agreement rows: the pairs count suppressed when small; agreement, kappa and its
    interval withheld when the two coders' cross-table has a small cell; notes that name
    a category replaced (a note saying every review had one code discloses them all)."""
    if threshold == 0:
        return table
    out = table.copy()
    small_n = out["nobs"].map(lambda n: is_small(n, threshold))
    small_cell = pd.Series(
        [any(is_small(c, threshold) for c in np.ravel(t)) for t in crosstabs], index=out.index
    )
    hide = small_n | small_cell
    out["nobs"] = out["nobs"].astype(object).where(~small_n, None)
    for column in ("agreement", "kappa", "se", "ci_low", "ci_upp", "expected"):
        if column in out.columns:
            out[column] = out[column].astype(object).where(~hide, None)
    notes = out["note"].fillna("").astype(str)
    notes = notes.where(~notes.str.contains("'"), "kappa undefined: both coders used one category")
    small = "|".join(str(i) for i in range(1, threshold))
    notes = notes.str.replace(rf"\b({small})\b", f"fewer than {threshold}", regex=True)
    out["note"] = notes.where(~hide, WITHHELD)
    out["suppressed"] = hide
    return out
