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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from triennial.codebook import AGE_BANDS, NOT_APPLICABLE, Codebook, age_band, normalise
from triennial.errors import DataError, Problem

SOURCE_FILE, SOURCE_ROW = "source_file", "source_row"
LOG_COLUMNS = ["file", "row", "column", "old_value", "new_value", "rule"]
_AGE = re.compile(r"(\d+)\s*(m|mo|mos|month|months|y|yr|yrs|year|years)?")


@dataclass
class CleanResult:
    """Everything cleaning produced; see the module docstring."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    log: pd.DataFrame
    rows_in: int

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


def read_extract(path: Path) -> pd.DataFrame:
    """Every cell of a CSV or XLSX extract as text, with its file and spreadsheet row."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
    except FileNotFoundError as err:
        raise DataError(Problem(str(path), None, None, None, "file not found")) from err
    except Exception as err:  # the readers' own errors: bad encoding, ragged rows, not a table
        if "empty" in str(err).lower():
            raise DataError(Problem(str(path), None, None, None, "file is empty")) from err
        raise DataError(
            Problem(str(path), None, None, None, f"not a readable CSV/XLSX table ({err})")
        ) from err
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[SOURCE_FILE] = str(path)
    frame[SOURCE_ROW] = np.arange(2, len(frame) + 2)  # header is row 1, as a spreadsheet shows
    return frame


def check_columns(frame: pd.DataFrame, codebook: Codebook) -> None:
    """Missing or unexpected columns are a whole-file problem: raise DataError."""
    path = frame[SOURCE_FILE].iloc[0] if len(frame) else "extract"
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
    if len(frame) == 0:
        problems.append(Problem(path, None, None, None, "no data rows"))
    if problems:
        raise DataError(problems)


def clean_extracts(paths: list[Path], codebook: Codebook, start: date, end: date) -> CleanResult:
    """Read, check and clean one or more extract files into one CleanResult."""
    frames = []
    for path in paths:
        frame = read_extract(path)
        check_columns(frame, codebook)
        frames.append(frame)
    raw = pd.concat(frames, ignore_index=True)
    if "age_band" not in raw.columns:
        raw["age_band"] = ""
    return clean_frame(raw, codebook, start, end)


def clean_frame(raw: pd.DataFrame, codebook: Codebook, start: date, end: date) -> CleanResult:
    """Map every column onto the codebook; quarantine rows that cannot be mapped."""
    n = len(raw)
    reasons = np.full(n, "", dtype=object)
    logs = []
    out = {}
    for name in codebook.names:
        text = raw[name].astype(str)
        if name == "age_months":
            values, bad, rule = _parse_ages(text)
        elif name == "notification_date":
            values, bad, rule = _parse_dates(text, start, end, codebook.field(name)["rawFormats"])
        elif name == "coding_round":
            values, bad, rule = _map_values(text, {"1": 1, "2": 2}, "integer")
        elif name == "age_band":
            values, bad, rule = _map_values(text, codebook.synonyms(name) | {"": ""}, "synonym")
        elif "synonyms" in codebook.field(name):
            values, bad, rule = _map_values(text, codebook.synonyms(name), "synonym")
        else:  # free text: review_id, coder
            values, bad, rule = _check_text(text, codebook.field(name))
        _add_reasons(reasons, bad, name, text, _expected(codebook, name))
        logs.append(_log(raw, name, text, values, bad, rule))
        out[name] = values
    clean = pd.DataFrame(out)
    clean[SOURCE_FILE] = raw[SOURCE_FILE].to_numpy()
    clean[SOURCE_ROW] = raw[SOURCE_ROW].to_numpy()

    ok = reasons == ""
    clean.loc[ok, "age_band"], band_logs = _derive_bands(clean.loc[ok], raw.loc[ok], reasons, ok)
    logs.append(band_logs)
    for mask, column, expected in _rule_violations(clean, codebook):
        _add_rule(reasons, mask.to_numpy() & (reasons == ""), clean, column, expected)
    _mark_duplicates(clean, reasons)

    quarantined = reasons != ""
    quarantine = raw.loc[quarantined].assign(reason=reasons[quarantined]).reset_index(drop=True)
    log = pd.concat(logs, ignore_index=True)
    log = log[~log["row"].isin(set(raw.loc[quarantined, SOURCE_ROW]))] if quarantined.any() else log
    result = CleanResult(
        clean=clean.loc[~quarantined].reset_index(drop=True).astype({"age_months": "Int64"}),
        quarantine=quarantine,
        log=log.sort_values(["file", "row"], kind="stable").reset_index(drop=True),
        rows_in=n,
    )
    result.check_balance()
    return result


def _map_values(text: pd.Series, table: dict, rule: str):
    """Map each distinct typed value once; return (values, invalid mask, rule name)."""
    codes, uniques = pd.factorize(text, sort=False)
    keys = [normalise(u) for u in uniques]
    mapped = np.array([table.get(k) for k in keys], dtype=object)
    values = mapped[codes]
    bad = pd.isna(values)
    return values, bad, rule


def _check_text(text: pd.Series, field: dict):
    stripped = text.str.strip()
    bad = (stripped == "").to_numpy().copy()
    pattern = field.get("constraints", {}).get("pattern")
    if pattern:
        bad |= ~stripped.str.fullmatch(pattern).fillna(False).to_numpy()
    return stripped.to_numpy(dtype=object), bad, "whitespace"


def _parse_ages(text: pd.Series):
    """'3 months', '18m', '2 yrs', '2 years', '36' -> months; '' -> not recorded."""
    codes, uniques = pd.factorize(text, sort=False)
    parsed = np.array([_age_months(u) for u in uniques], dtype=object)
    values = parsed[codes]
    bad = values == "bad"
    values = np.where(bad, None, values)
    return values, bad, "age in months"


def _age_months(typed: str):
    key = normalise(typed)
    if key in ("", "not recorded", "not stated", "unknown"):
        return None
    match = _AGE.fullmatch(key)
    if not match:
        return "bad"
    number, unit = int(match.group(1)), match.group(2) or "m"
    months = number * 12 if unit.startswith("y") else number
    return months if 0 <= months <= AGE_BANDS["16_plus"][1] else "bad"


def _parse_dates(text: pd.Series, start: date, end: date, formats: list[str]):
    codes, uniques = pd.factorize(text, sort=False)
    parsed = np.array([_date(u, formats, start, end) for u in uniques], dtype=object)
    values = parsed[codes]
    bad = pd.isna(values)
    return values, bad, "date to ISO"


def _date(typed: str, formats: list[str], start: date, end: date) -> str | None:
    for fmt in formats:
        try:
            day = datetime.strptime(typed.strip(), fmt).date()
        except ValueError:
            continue
        return day.isoformat() if start <= day <= end else None
    return None


def _expected(codebook: Codebook, name: str) -> str:
    field = codebook.field(name)
    if name == "age_months":
        return "an age such as '3 months', '18m' or '2 yrs' (0 to 215 months), or empty"
    if name == "notification_date":
        return "a date (dd/mm/yyyy or yyyy-mm-dd) within the analysis period"
    if name == "coding_round":
        return "1 (primary coding) or 2 (second coding)"
    if "synonyms" in field:
        return f"one of {list(field['synonyms'])} (or a synonym listed in the codebook)"
    return field.get("patternDescription", "a value")


def _add_reasons(reasons, bad, column: str, text: pd.Series, expected: str) -> None:
    for i in np.flatnonzero(bad):
        note = f"column '{column}': value {text.iloc[i]!r}: expected {expected}"
        reasons[i] = f"{reasons[i]}; {note}" if reasons[i] else note


def _log(raw, column, text, values, bad, rule) -> pd.DataFrame:
    """Log cells whose clean value differs from what was typed (and that were valid)."""
    shown = pd.Series(values, dtype=object).map(lambda v: "" if v is None else str(v))
    changed = (shown.to_numpy() != text.to_numpy()) & ~bad
    idx = np.flatnonzero(changed)
    return pd.DataFrame(
        {
            "file": raw[SOURCE_FILE].to_numpy()[idx],
            "row": raw[SOURCE_ROW].to_numpy()[idx],
            "column": column,
            "old_value": text.to_numpy()[idx],
            "new_value": shown.to_numpy()[idx],
            "rule": rule,
        },
        columns=LOG_COLUMNS,
    )


def _derive_bands(clean: pd.DataFrame, raw: pd.DataFrame, reasons, ok):
    """age_band from age_months; a typed band that disagrees quarantines the row."""
    derived = [
        age_band(m) if m is not None and not pd.isna(m) else "not_recorded"
        for m in clean["age_months"]
    ]
    derived = np.array(derived, dtype=object)
    typed = clean["age_band"].to_numpy(dtype=object)
    clash = (typed != "") & (typed != derived)
    rows = np.flatnonzero(ok)
    for i in np.flatnonzero(clash):
        reasons[rows[i]] = (
            f"column 'age_band': value {raw['age_band'].iloc[i]!r}: expected {derived[i]}, "
            f"the band of age_months {clean['age_months'].iloc[i]}"
        )
    filled = (typed == "") & ~clash
    log = pd.DataFrame(
        {
            "file": raw[SOURCE_FILE].to_numpy()[filled],
            "row": raw[SOURCE_ROW].to_numpy()[filled],
            "column": "age_band",
            "old_value": "",
            "new_value": derived[filled],
            "rule": "derived from age_months",
        },
        columns=LOG_COLUMNS,
    )
    return derived, log


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
                f"round {first['coding_round']} with conflicting values (rows {rows}); "
                "expected one record per review and round"
            )
            for i in group.index:
                reasons[i] = why
    valid = reasons == ""
    firsts = set(clean.loc[valid & (clean["coding_round"] == 1).to_numpy(), "review_id"])
    orphan = (
        valid
        & (clean["coding_round"] == 2).to_numpy()
        & ~clean["review_id"].isin(firsts).to_numpy()
    )
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
