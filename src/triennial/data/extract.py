"""Coded review extracts: read what coders typed, map it onto the codebook, keep everything.

Cleaning works column by column on the distinct values typed (so a million rows cost
little more than reading them):

- a value that is a synonym of a clean code is mapped to it, and the change is logged
  (file, row, column, old value, new value, rule);
- a value that maps to nothing, an impossible age, a date outside the analysis period,
  or a row that breaks a codebook rule sends the row to quarantine with the reason;
- duplicated (review_id, coding_round) keys are quarantined: an exact copy with a pointer
  to the row kept, conflicting records both, since neither can be preferred.

Rows in = clean rows + quarantined rows, always (`CleanResult.check_balance`).
Whole-file problems (unreadable, empty, missing or unexpected columns) raise DataError.

Double coding: round 1 is the primary coding used for analysis; round 2 is an
independent second coding kept for the agreement analysis. The pair resolves to the
round-1 record (the documented rule); disagreements are reported, not merged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import compute as pc

from triennial.data.codebook import AGE_BANDS, NOT_APPLICABLE, Codebook, normalise
from triennial.data.errors import LOG_COLUMNS, DataError, Problem
from triennial.data.spreadsheet import SOURCE_FILE, SOURCE_ROW, read_spreadsheet

NUMERIC = ("age_months", "coding_round")
_AGE = re.compile(r"(\d+)\s*(m|mo|mos|month|months|y|yr|yrs|year|years)?")


@dataclass
class CleanResult:
    """Everything cleaning produced; see the module docstring."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    log: pd.DataFrame
    rows_in: int
    warnings: list[str] = field(default_factory=list)  # printed and logged, not refused

    def check_balance(self) -> None:
        """Rows in = clean + quarantined; anything else is a bug, not bad data."""
        if self.rows_in != len(self.clean) + len(self.quarantine):
            raise AssertionError(
                f"{self.rows_in} rows in, {len(self.clean)} clean + "
                f"{len(self.quarantine)} quarantined"
            )

    def reviews(self) -> pd.DataFrame:
        """One record per review: the round-1 (primary) coding."""
        return self.clean[self.clean["coding_round"] == 1].reset_index(drop=True)

    def double_coded(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The two codings of each double-coded review, aligned by review_id."""
        first = self.reviews().set_index("review_id")
        second = self.clean[self.clean["coding_round"] == 2].set_index("review_id")
        ids = sorted(set(first.index) & set(second.index))
        return first.loc[ids].reset_index(), second.loc[ids].reset_index()


def read_extract(
    path: Path, codebook: Codebook, sheet: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Every cell of a CSV or XLSX extract as text, with its file and row as the analyst
    sees them (`triennial.data.spreadsheet`), and the warnings reading gave.

    Columns come back as categoricals (text codes with few distinct values, stored once)
    except review_id, which is unique per row.
    """
    try:
        return read_spreadsheet(path, codebook.required_columns, sheet)
    except DataError:  # already names the file (and the rows): do not wrap it
        raise
    except Exception as err:  # the readers' own errors: ragged rows, not a table
        raise DataError(
            Problem.of_file(str(path), f"not a readable CSV/XLSX table ({err})")
        ) from err


def check_columns(frame: pd.DataFrame, codebook: Codebook) -> None:
    """Missing or unexpected columns are a whole-file problem: raise DataError."""
    path = frame[SOURCE_FILE].cat.categories[0]  # also when there are no rows to name it
    present = [c for c in frame.columns if c not in (SOURCE_FILE, SOURCE_ROW)]
    problems = [
        Problem(path, 1, c, None, "required column is missing (see the codebook)")
        for c in codebook.required_columns
        if c not in present
    ]
    problems += [
        Problem(path, 1, c, None, "unexpected column (not in the codebook)")
        for c in present
        if c not in codebook.names
    ]
    problems += [
        Problem(path, 1, c, None, "the column name is in row 1 more than once")
        for c in sorted({c for c in present if present.count(c) > 1})
    ]
    if len(frame) == 0:
        problems.append(Problem.of_file(path, "no data rows"))
    if problems:
        raise DataError(problems)


def clean_extracts(
    paths: list[Path],
    codebook: Codebook,
    start: date,
    end: date,
    demonstration: bool = False,
    sheet: str | None = None,
) -> CleanResult:
    """Read, check and clean one or more extract files into one CleanResult.

    `demonstration`: the run is the public, unsuppressed demonstration; refused unless
    every row is the synthetic reconstruction's (see `check_demonstration`).
    `sheet`: the one sheet of an XLSX extract to read (None: every sheet of reviews).
    """
    frames, warnings = [], []
    for path in paths:
        frame, warned = read_extract(path, codebook, sheet)
        check_columns(frame, codebook)
        frames.append(frame)
        warnings += warned
    raw = pd.concat(frames, ignore_index=True)
    if demonstration:
        check_demonstration(raw)
    if "age_band" not in raw.columns:
        raw["age_band"] = ""
    result = clean_frame(raw, codebook, start, end)
    result.warnings = warnings + result.warnings
    return result


# The synthetic reconstruction's review ids (tools/make_extracts.py). Only an extract
# made wholly of them may be published unsuppressed.
DEMONSTRATION_ID = re.compile(r"SYN-R\d+")


def check_demonstration(raw: pd.DataFrame) -> None:
    """Refuse an unsuppressed run on anything but the synthetic demonstration extract."""
    ids = raw["review_id"].astype(str).str.strip()
    other = raw[~ids.map(lambda i: bool(DEMONSTRATION_ID.fullmatch(i)))]
    if other.empty:
        return
    expected = (
        "extracts.demonstration is true (the public demonstration, with no suppression), "
        "but this review id is not one of the synthetic demonstration's (SYN-R...): for "
        "your own reviews set extracts.demonstration: false, so that small numbers are "
        f"suppressed ({len(other)} such row(s))"
    )
    first = other.iloc[0]
    raise DataError(
        Problem(
            str(first[SOURCE_FILE]),
            int(first[SOURCE_ROW]),
            "review_id",
            str(first["review_id"]),
            expected,
        )
    )


def clean_frame(raw: pd.DataFrame, codebook: Codebook, start: date, end: date) -> CleanResult:
    """Map every column onto the codebook; quarantine rows that cannot be mapped."""
    n = len(raw)
    reasons = np.full(n, "", dtype=object)
    logs = []
    out = {}
    where = (raw[SOURCE_FILE].to_numpy(dtype=object), raw[SOURCE_ROW].to_numpy())
    for name in codebook.names:
        if name not in raw.columns:  # an optional column (a learning theme) left out
            continue
        text = raw[name]
        if name == "review_id":  # unique per row: vectorised checks
            column = _check_text(text, codebook.field(name))
            rule = "whitespace and case (ids compared in upper case)"
        elif name == "coder":
            convert, rule = _free_text(codebook.field(name)), "whitespace"
            column = _by_distinct_value(text, convert)
        else:
            convert, rule = _converter(codebook, name, start, end)
            column = _by_distinct_value(text, convert, numeric=name in NUMERIC)
        _add_reasons(reasons, column.bad, name, text, _expected(codebook, name))
        logs.append(_log(where, name, column, rule))
        out[name] = column.values
    clean = pd.DataFrame(out, index=raw.index)
    clean[SOURCE_FILE] = raw[SOURCE_FILE].to_numpy()
    clean[SOURCE_ROW] = raw[SOURCE_ROW].to_numpy()

    _mark_headers(clean["review_id"], reasons)
    logs.append(_derive_bands(clean, raw, reasons))
    valid = reasons == ""  # kept up to date: comparing a million reasons is slow
    for mask, column, expected in _rule_violations(clean, codebook):
        broken = mask.to_numpy() & valid
        _add_rule(reasons, broken, clean, column, expected)
        valid &= ~broken
    _mark_duplicates(clean, reasons)

    quarantined = reasons != ""
    quarantine = raw.loc[quarantined].assign(reason=reasons[quarantined]).reset_index(drop=True)
    log = _log_frame(logs)
    if quarantined.any():  # the quarantine keeps those rows as typed; no log for them
        log = log[~log["row"].isin(set(raw.loc[quarantined, SOURCE_ROW]))]
    result = CleanResult(
        clean=clean.loc[~quarantined]
        .reset_index(drop=True)
        .astype({"age_months": "Int64", "coding_round": int}),
        quarantine=quarantine,
        log=_by_file_and_row(log),
        rows_in=n,
        warnings=_ages_in_years(raw, np.asarray(out["age_months"], float), ~quarantined),
    )
    result.check_balance()
    return result


def _mark_headers(ids: pd.Series, reasons) -> None:
    """A row repeating the column names (pasted from another file) is not a review.
    `ids`: the review ids as compared (stripped, upper case)."""
    for i in np.flatnonzero((ids == "REVIEW_ID").to_numpy(dtype=bool, na_value=False)):
        reasons[i] = (
            "column 'review_id': value 'review_id': the column names repeated (a header row "
            "inside the data); expected a review's values"
        )


YEARS_LIKE = 18  # ages in months that would all be this or less, typed as bare numbers


def _ages_in_years(raw: pd.DataFrame, months: np.ndarray, clean: np.ndarray) -> list[str]:
    """A warning (not a refusal) when the ages look like years: at least three typed as
    bare numbers, making up most of the ages recorded, all of them YEARS_LIKE or less."""
    codes, typed = _distinct(raw["age_months"])
    plain = np.array([re.fullmatch(r"\s*\d+\s*", str(t)) is not None for t in typed], bool)
    recorded = clean & ~np.isnan(months)
    bare = recorded & plain[codes] if len(typed) else recorded & False
    ages = months[bare]
    if len(ages) < 3 or 2 * len(ages) < recorded.sum() or ages.max() > YEARS_LIKE:
        return []
    files = ", ".join(sorted(set(raw[SOURCE_FILE].to_numpy(dtype=object)[bare].astype(str))))
    shown = [int(a) for a in sorted(set(ages))[:8]]
    return [
        f"{files}: column 'age_months': all {len(ages)} ages typed as plain numbers are "
        f"{YEARS_LIKE} or less (values {shown}): they look like ages in years, but the "
        "column is in months; read as months. If they are years, type them as '4 yrs' or "
        "in months (48)"
    ]


def _converter(codebook: Codebook, name: str, start: date, end: date):
    """The function turning one typed value into (clean value, ok), and its rule name."""
    if name == "age_months":
        return _age_months, "age in months"
    if name == "notification_date":
        formats = codebook.field(name)["rawFormats"]
        return (lambda typed: _date(typed, formats, start, end)), "date to ISO"
    if name == "coding_round":
        return _lookup({"1": 1, "2": 2}), "integer"
    table = codebook.synonyms(name)
    if name == "age_band":  # optional in raw extracts: empty means 'derive it'
        table = table | {"": ""}
    return _lookup(table), "synonym"


def _free_text(field: dict):
    """Free text (a coder's initials): stripped, not empty, matching any pattern."""
    pattern = field.get("constraints", {}).get("pattern")

    def convert(typed: str):
        value = typed.strip()
        ok = bool(value) and (pattern is None or re.fullmatch(pattern, value) is not None)
        return (value if ok else None), ok

    return convert


def _lookup(table: dict):
    def convert(typed: str):
        value = table.get(normalise(typed))
        return value, value is not None

    return convert


@dataclass
class Cleaned:
    """One cleaned column: values, which rows are invalid or changed, and the text of
    a row's old and new value for the log (asked only for the rows logged)."""

    values: object
    bad: np.ndarray
    changed: np.ndarray
    old: Callable[[np.ndarray], np.ndarray]
    new: Callable[[np.ndarray], np.ndarray]


def _by_distinct_value(text: pd.Series, convert, numeric: bool = False) -> Cleaned:
    """Convert each distinct typed value once (a million rows hold few distinct codes).

    Codes come back as a categorical (compact, fast to compare), numbers as floats.
    """
    codes, typed = _distinct(text)
    results = [convert(u) for u in typed]
    ok = np.array([k for _, k in results], dtype=bool)
    clean = [v for v, _ in results]
    shown = np.array(["" if v is None else str(v) for v in clean], dtype=object)
    if numeric:
        values = np.array([np.nan if v is None else v for v in clean], dtype=float)[codes]
    else:
        categories, index = np.unique(shown, return_inverse=True)
        values = pd.Categorical.from_codes(index[codes], categories, validate=False)  # in range
    return Cleaned(  # decided per distinct value, then spread to the rows
        values=values,
        bad=(~ok)[codes],
        changed=((shown != typed) & ok)[codes],
        old=lambda idx: typed[codes[idx]],
        new=lambda idx: shown[codes[idx]],
    )


def _distinct(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code into the distinct values typed, and those values."""
    if isinstance(text.dtype, pd.CategoricalDtype):  # already encoded when read
        codes, typed = text.cat.codes.to_numpy(), text.cat.categories
    else:
        codes, typed = pd.factorize(text, sort=False)
    return codes, np.asarray(typed, dtype=object)


def _check_text(text: pd.Series, field: dict) -> Cleaned:
    """A review id: surrounding spaces dropped, upper case (ids are compared without
    regard to case: 'syn-p09' and 'SYN-P09 ' are one review)."""
    stripped = text.str.strip().str.upper()
    bad = (stripped == "").to_numpy().copy()
    pattern = field.get("constraints", {}).get("pattern")
    if pattern:
        bad |= ~stripped.str.fullmatch(pattern).fillna(False).to_numpy()
    changed = (stripped != text).to_numpy() & ~bad
    return Cleaned(
        values=stripped,
        bad=bad,
        changed=changed,
        old=lambda idx: text.iloc[idx].to_numpy(dtype=object),
        new=lambda idx: stripped.iloc[idx].to_numpy(dtype=object),
    )


def _age_months(typed: str):
    """'3 months', '18m', '2 yrs', '2 years', '36' -> months; '' -> not recorded (None)."""
    key = normalise(typed)
    if key in ("", "not recorded", "not stated", "unknown"):
        return None, True
    match = _AGE.fullmatch(key)
    if not match:
        return None, False
    number, unit = int(match.group(1)), match.group(2) or "m"
    months = number * 12 if unit.startswith("y") else number
    return (months, True) if 0 <= months <= AGE_BANDS["16_plus"][1] else (None, False)


# Excel stores a date as days since 1899-12-30; a cell formatted 'General' shows that
# number. Five digits cover 1927 to 2173; the analysis period then decides.
EXCEL_DAY_ZERO = date(1899, 12, 30)
_SERIAL = re.compile(r"\d{5}(\.\d+)?")


def _date(typed: str, formats: list[str], start: date, end: date):
    """A typed date (or an Excel date number) as ISO text, if it parses and lies in the
    analysis period."""
    text = typed.strip()
    days = [EXCEL_DAY_ZERO + timedelta(days=int(float(text)))] if _SERIAL.fullmatch(text) else []
    for fmt in formats:
        try:
            days.append(datetime.strptime(text, fmt).date())
        except ValueError:
            continue
    if not days:
        return None, False
    return (days[0].isoformat(), True) if start <= days[0] <= end else (None, False)


def _expected(codebook: Codebook, name: str) -> str:
    field = codebook.field(name)
    if name == "age_months":
        return "an age such as '3 months', '18m' or '2 yrs' (0 to 215 months), or empty"
    if name == "notification_date":
        return (
            "a date (a date cell, dd/mm/yyyy, yyyy-mm-dd or an Excel date number) within "
            "the analysis period"
        )
    if name == "coding_round":
        return "1 (primary coding) or 2 (second coding)"
    if "synonyms" in field:
        return f"one of {list(field['synonyms'])} (or a synonym listed in the codebook)"
    return field.get("patternDescription", "a value")


def _add_reasons(reasons, bad, column: str, text: pd.Series, expected: str) -> None:
    for i in np.flatnonzero(bad):
        note = f"column '{column}': value {text.iloc[i]!r}: expected {expected}"
        reasons[i] = f"{reasons[i]}; {note}" if reasons[i] else note


def _log(where: tuple, name: str, column: Cleaned, rule: str) -> dict[str, object]:
    """Log entries for cells whose clean value differs from what was typed (and that were
    valid), as columns (see `_log_frame`).

    `where`: the file and row of every raw row, as arrays.
    """
    idx = np.flatnonzero(column.changed)
    return _entries(where[0][idx], where[1][idx], name, column.old(idx), column.new(idx), rule)


def _entries(files, rows, column: str, old, new, rule: str) -> dict[str, object]:
    """One column's log entries: arrays, except the column's name and rule (one each)."""
    return dict(zip(LOG_COLUMNS, (files, rows, column, old, new, rule), strict=True))


# The log's columns as pandas keeps them: typed values as they came, names as strings.
LOG_TYPES = dict(zip(LOG_COLUMNS, (object, np.int64, "str", object, object, "str"), strict=True))


def _log_frame(parts: list[dict[str, object]]) -> pd.DataFrame:
    """The cleaning log, built once from every column's entries (a frame per column costs
    more than cleaning a small extract)."""
    sizes = [len(p["row"]) for p in parts]
    joined = {}
    for c in LOG_COLUMNS:
        if c in ("column", "rule"):  # one name per part, repeated by Arrow: no str per row
            index = np.repeat(np.arange(len(parts)), sizes)
            values = pd.array(pa.array([p[c] for p in parts]).take(index), dtype="str")
        else:
            values = np.concatenate([np.asarray(p[c], dtype=LOG_TYPES[c]) for p in parts])
        joined[c] = pd.Series(values, dtype=LOG_TYPES[c])  # typed: no inference pass
    return pd.DataFrame(joined)


def _by_file_and_row(log: pd.DataFrame) -> pd.DataFrame:
    """The log sorted by file, then row, keeping the order of a row's entries (a stable
    sort of the files' ranks: comparing a million file names is slow)."""
    files = pd.factorize(log["file"].to_numpy(), sort=True)[0]
    return log.iloc[np.lexsort((log["row"].to_numpy(), files))].reset_index(drop=True)


def _derive_bands(clean: pd.DataFrame, raw: pd.DataFrame, reasons) -> dict[str, object]:
    """Set age_band from age_months (vectorised); a typed band that disagrees
    quarantines the row. Returns the log entries of bands filled in."""
    months = clean["age_months"].to_numpy(dtype=float)
    firsts = [low for low, _ in AGE_BANDS.values()]
    codes = np.searchsorted(firsts, np.nan_to_num(months), "right") - 1
    codes[np.isnan(months)] = len(AGE_BANDS)  # not_recorded
    names = [*AGE_BANDS, "not_recorded"]
    derived = np.array(names, dtype=object)[codes]
    typed = clean["age_band"].to_numpy(dtype=object)
    ok = reasons == ""
    clash = ok & (typed != "") & (typed != derived)
    for i in np.flatnonzero(clash):
        reasons[i] = (
            f"column 'age_band': value {raw['age_band'].iloc[i]!r}: expected {derived[i]}, "
            f"the band of age_months {clean['age_months'].iloc[i]}"
        )
    clean["age_band"] = pd.Categorical.from_codes(codes, names, validate=False)  # in range
    filled = ok & (typed == "")
    return _entries(
        raw[SOURCE_FILE].to_numpy()[filled],
        raw[SOURCE_ROW].to_numpy()[filled],
        "age_band",
        np.full(filled.sum(), "", dtype=object),
        derived[filled],
        "derived from age_months",
    )


def _rule_violations(clean: pd.DataFrame, codebook: Codebook):
    """Codebook rules across fields: (row mask, column, what was expected)."""
    available = clean["report_status"] == "available"
    death = clean["outcome"] == "death"
    yield (
        death == (clean["death_maltreatment"] == NOT_APPLICABLE),
        "death_maltreatment",
        "not_applicable exactly when outcome is serious_harm",
    )
    for name in codebook.characteristics() + ["review_method", "qualitative_sample"]:
        yield (
            ~available & (clean[name] != NOT_APPLICABLE),
            name,
            "not_applicable, since there is no final report (report_status is not 'available')",
        )
    never = clean["cp_plan"] == "never"
    yield (
        never & (clean["cp_plan_category"] != NOT_APPLICABLE),
        "cp_plan_category",
        "not_applicable, since the child was never on a plan",
    )


def _add_rule(reasons, mask, clean: pd.DataFrame, column: str, expected: str) -> None:
    for i in np.flatnonzero(np.asarray(mask)):
        reasons[i] = f"column '{column}': value {clean[column].iloc[i]!r}: expected {expected}"


def _mark_duplicates(clean: pd.DataFrame, reasons) -> None:
    """Duplicated (review_id, coding_round): exact copies point to the row kept;
    conflicting records are all quarantined; a round 2 needs its round 1."""
    valid = reasons == ""
    keys = ["review_id", "coding_round"]
    coded = [c for c in clean.columns if c not in (SOURCE_FILE, SOURCE_ROW, "coder")]
    dup = valid & clean.duplicated(keys, keep=False).to_numpy()
    for _, group in clean[dup].groupby(keys, sort=False):
        first = group.iloc[0]
        same = (group[coded].astype(str) == first[coded].astype(str)).all(axis=1)
        for i in group.index[1:]:
            if same.loc[i]:
                reasons[i] = f"exact duplicate of row {first[SOURCE_ROW]} ({first[SOURCE_FILE]})"
        if not same.all():
            rows = ", ".join(str(r) for r in group[SOURCE_ROW])
            why = (
                f"column 'review_id': value {first['review_id']!r}: coded more than once in "
                f"round {int(first['coding_round'])} with conflicting values (rows {rows}); "
                "expected one record per review and round"
            )
            for i in group.index:
                reasons[i] = why
    valid = reasons == ""
    orphan = valid & (clean["coding_round"] == 2).to_numpy()
    if orphan.any():  # only the round-2 rows' ids are looked up (Arrow's is_in: hashed)
        ids = pa.array(clean["review_id"].astype("string[pyarrow]"))
        firsts = ids.filter(pa.array(valid & (clean["coding_round"] == 1).to_numpy()))
        found = pc.is_in(ids.filter(pa.array(orphan)), value_set=firsts)
        orphan[orphan] = ~found.to_numpy(zero_copy_only=False)
    _add_rule(
        reasons,
        orphan,
        clean,
        "coding_round",
        "1 first: a round-2 coding needs a valid round-1 record of the same review",
    )


def read_clean_extract(path: Path) -> pd.DataFrame:
    """Read clean rows written by the pipeline: codes as text, age and round as numbers."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["age_months"] = pd.to_numeric(frame["age_months"].replace("", None)).astype("Int64")
    return frame.astype({"coding_round": int, SOURCE_ROW: int})
