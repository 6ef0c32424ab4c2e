"""Turn a clean extract into what a team of coders would have typed, with double coding.

Used to make the committed demonstration extract look like a real spreadsheet, so that
cleaning is exercised on the kinds of input it meets: each coder has habits ("Y",
"yes", "1", "Yes " for the same answer; "not stated"; ages as "3 months", "18m" or
"2 yrs"; dates as dd/mm/yyyy), a subsample is coded a second time independently with
some disagreement, and one row is typed in twice by mistake.

Everything is drawn from a numpy Generator with a fixed seed: same input, same bytes.
Cleaning the output recovers the input exactly (tests/test_extract.py checks this).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from triennial.data.codebook import Codebook

# How each coder writes the noted / not_noted / not_applicable codes and "not recorded".
STYLES = {
    "AB": {"noted": "Y", "not_noted": "N", "not_applicable": "n/a", "nr": "not stated"},
    "CD": {"noted": "yes", "not_noted": "no", "not_applicable": "N/A", "nr": "Not recorded"},
    "EF": {"noted": "1", "not_noted": "0", "not_applicable": "-", "nr": "unknown"},
}
SECOND_CODER = {"AB": "CD", "CD": "EF", "EF": "AB"}


def typed_age(months, coder: str) -> str:
    """An age as the coder writes it; whole years only when the months allow it."""
    if months is None or pd.isna(months):
        return ""
    months = int(months)
    if coder == "AB":
        return f"{months} months"
    if coder == "CD":
        return f"{months}m"
    return f"{months // 12} yrs" if months >= 24 and months % 12 == 0 else str(months)


def typed_date(iso: str, coder: str) -> str:
    """Dates as dd/mm/yyyy, except coder EF, who keeps ISO dates."""
    if coder == "EF":
        return iso
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def typed_code(code: str, coder: str, rng: np.random.Generator) -> str:
    """A clean code as typed: the coder's shorthand, or the code with stray case/space."""
    style = STYLES[coder]
    if code in ("noted", "not_noted", "not_applicable"):
        text = style[code]
    elif code == "not_recorded":
        text = style["nr"]
    else:
        text = code.replace("_", " ") if rng.random() < 0.3 else code
    if rng.random() < 0.05:
        text = text.capitalize() + " "  # the trailing space a spreadsheet hides
    return text


def as_typed(extract: pd.DataFrame, codebook: Codebook, rng: np.random.Generator) -> pd.DataFrame:
    """Every row of a clean round-1 extract as its coder would have typed it."""
    rows = []
    for record in extract.to_dict("records"):
        coder = record["coder"]
        typed = {}
        for name in codebook.required_columns:
            value = record[name]
            if name == "age_months":
                typed[name] = typed_age(value, coder)
            elif name == "notification_date":
                typed[name] = typed_date(value, coder)
            elif name in codebook.coded():
                typed[name] = typed_code(value, coder, rng)
            else:
                typed[name] = str(value)
        rows.append(typed)
    return pd.DataFrame(rows, columns=codebook.required_columns)


def second_coding(
    extract: pd.DataFrame, codebook: Codebook, rng: np.random.Generator, share: float = 0.1
) -> pd.DataFrame:
    """An independent second coding of a systematic `share` of reviews (every k-th).

    Disagreement: each report characteristic flips between noted and not_noted with
    probability 0.08, and primary_harm is read differently in 1 review in 10; the rest
    is recorded identically (facts such as age and dates rarely differ between coders).
    """
    step = round(1 / share)
    chosen = extract.iloc[::step].copy()
    chosen["coding_round"] = 2
    chosen["coder"] = chosen["coder"].map(SECOND_CODER)
    flip = {"noted": "not_noted", "not_noted": "noted"}
    for name in codebook.characteristics():
        draws = rng.random(len(chosen)) < 0.08
        chosen[name] = [
            flip.get(v, v) if d else v for v, d in zip(chosen[name], draws, strict=True)
        ]
    harms = codebook.field("primary_harm")["constraints"]["enum"]
    draws = rng.random(len(chosen)) < 0.1
    chosen["primary_harm"] = [
        harms[(harms.index(v) + 1) % len(harms)] if d else v
        for v, d in zip(chosen["primary_harm"], draws, strict=True)
    ]
    return chosen


def typed_extract(
    extract: pd.DataFrame, codebook: Codebook, seed: int = 20190901, share: float = 0.1
) -> pd.DataFrame:
    """The demonstration raw extract: round 1, then round 2, then one accidental copy."""
    rng = np.random.default_rng(seed)
    first = as_typed(extract, codebook, rng)
    second = as_typed(second_coding(extract, codebook, rng, share), codebook, rng)
    accidental = first.iloc[[len(first) // 2]]  # the same row typed in twice
    return pd.concat([first, second, accidental], ignore_index=True)
