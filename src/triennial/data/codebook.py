"""The codebook of coded review extracts: fields, clean codes, what coders may type.

The codebook is a Frictionless Table Schema (data/raw/extracts/codebook.schema.json),
the same standard as the published tables. Each coded field lists its clean codes in
`constraints.enum` and, under `synonyms`, what coders may type for each code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

AGE_BANDS = {  # band: (first month, last month), as the triennial analysis bands ages
    "under_1": (0, 11),
    "1_to_5": (12, 71),
    "6_to_10": (72, 131),
    "11_to_15": (132, 191),
    "16_plus": (192, 215),
}
NOT_APPLICABLE = "not_applicable"
NOTED = "noted"


@dataclass(frozen=True)
class Codebook:
    """The parsed codebook; `fields` keep the order of the schema."""

    fields: list[dict]
    path: Path

    @property
    def names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def required_columns(self) -> list[str]:
        """Columns a raw extract must have (derived ones, like age_band, and the optional
        learning themes may be left out)."""
        return [f["name"] for f in self.fields if not f.get("derived") and not is_theme(f)]

    def themes(self) -> list[str]:
        """The learning themes: optional columns, noted / not_noted / not_coded."""
        return [f["name"] for f in self.fields if is_theme(f)]

    def field(self, name: str) -> dict:
        return next(f for f in self.fields if f["name"] == name)

    def coded(self) -> list[str]:
        """Fields whose values are codes (they carry synonyms)."""
        return [f["name"] for f in self.fields if "synonyms" in f]

    def characteristics(self) -> list[str]:
        """Fields coded noted / not_noted / not_applicable from the final report."""
        return [f["name"] for f in self.fields if "publishedTable" in f and _is_noted(f)]

    def synonyms(self, name: str) -> dict[str, str]:
        """What coders may type (normalised) -> clean code, for one field."""
        table = {}
        for code, typed in self.field(name)["synonyms"].items():
            # the code itself, also with spaces for underscores, is always accepted
            for text in [code, code.replace("_", " "), *typed]:
                table[normalise(text)] = code
        return table

    def theme_citations(self, names) -> list[str]:
        """Registry keys of the publications naming the themes `names`, and their primaries."""
        keys = [
            key
            for name in names
            for s in self.field(name)["learningTheme"]["sources"]
            for key in (s["source"], s.get("primary_source"))
            if key
        ]
        return list(dict.fromkeys(keys))

    def excluded_bands(self, name: str) -> list[str]:
        """Age bands the published analysis leaves out of this field's denominator."""
        return self.field(name).get("excludedAgeBands", [])


def is_theme(field: dict) -> bool:
    return "learningTheme" in field


def _is_noted(field: dict) -> bool:
    return set(field["constraints"]["enum"]) == {"noted", "not_noted", NOT_APPLICABLE}


def load_codebook(path: Path) -> Codebook:
    """Read the codebook schema."""
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    return Codebook(schema["fields"], Path(path))


def normalise(text: str) -> str:
    """Lower case, single spaces, no surrounding space: 'Yes ' and 'YES' are 'yes'."""
    return re.sub(r"\s+", " ", text.strip().lower())


def age_band(months: int) -> str:
    """The age band of an age in completed months."""
    for band, (low, high) in AGE_BANDS.items():
        if low <= months <= high:
            return band
    raise ValueError(f"age {months} months is outside 0-215")


def markdown(codebook: Codebook) -> str:
    """The codebook as a readable page (data/raw/extracts/README.md is made from it)."""
    lines = [
        "# Codebook of coded review extracts",
        "",
        "<!-- Generated from codebook.schema.json by tools/make_extracts.py: do not edit. -->",
        "",
        "One row per review and coding round. Columns, in this order, with the clean codes",
        "and what coders may type for them (matched ignoring case and surrounding spaces; a",
        "code's own words with spaces for underscores are accepted too). A value that",
        "matches nothing sends its row to quarantine, with the reason; cleaning logs every",
        "value it changes.",
        "",
        "**Not recorded is not absent.** For characteristics coded from the final report",
        "(`noted` / `not_noted`), `not_noted` means the report does not record the factor:",
        "it may have been absent or simply not commented on, so rates are minimums.",
        "`not_applicable` means there is no final report, or (for Table 3's child",
        "characteristics) an age band the published analysis leaves out. For facts about the",
        "child or the review, `not_recorded` means the review does not say; an empty",
        "`age_months` means the age is not recorded, never age 0.",
        "",
        "The file `synthetic_reconstruction_2014_17.csv` here is a **synthetic",
        "reconstruction** consistent with the published totals of the 2014-17 triennial",
        "analysis, **not case data** (every review id starts with `SYN-`).",
        "",
        "**Learning themes** (fields marked as such below) are optional columns: an extract",
        "may leave them out, and an empty cell means the review was not coded for that theme",
        "(`not_coded`), never that the theme was absent. The synthetic reconstruction has no",
        "theme columns: no source prints theme counts for the 2014-17 reviews, so none are",
        "invented. The test extract `.test/data/partnership_extract.xlsx` codes them with",
        "**synthetic** values (tools/make_extracts.py), for testing only.",
        "",
    ]
    for f in codebook.fields:
        lines += [f"## `{f['name']}`: {f.get('title', '')}", "", f["description"], ""]
        constraints = f.get("constraints", {})
        kind = f["type"] + (" (derived in cleaning)" if f.get("derived") else "")
        lines.append(f"- Type: {kind}; {'required' if constraints.get('required') else 'optional'}")
        if "minimum" in constraints:
            lines.append(f"- Range: {constraints['minimum']} to {constraints['maximum']}")
        if is_theme(f):
            theme = f["learningTheme"]
            named = "; ".join(
                f"`{s['source']}`, {s['locator']}"
                + (f" (reporting `{s['primary_source']}`)" if "primary_source" in s else "")
                for s in theme["sources"]
            )
            lines.append(f"- Learning theme; named in (keys of report/references.bib): {named}")
            if "nationalFigure" in theme:
                lines.append(f"- National yardstick: panel figure `{theme['nationalFigure']}`")
        if "excludedAgeBands" in f:
            lines.append(f"- Left out of the denominator: {', '.join(f['excludedAgeBands'])}")
        for code, typed in f.get("synonyms", {}).items():
            others = [f"`{t}`" for t in typed if t != code]
            lines.append(f"- `{code}`" + (f": also {', '.join(others)}" if others else ""))
        lines.append("")
    return "\n".join(lines)
