"""Where each number of the report comes from, for the HTML edition's pop-ups.

`provenance(data, variables)` maps every dotted variable key (`t1_alcohol_misuse.pct`) to a short
Markdown text: for a figure taken from the raw data, its source cited author-year with the
locator, its status and its quote; for a computed one, the results table and row it is read
from. The renderer shows it beside the number in HTML and drops it from the PDF.
"""

from __future__ import annotations

import re

import pandas as pd

from triennial.analysis.bruising_terms import MC_QUANTILES
from triennial.report.render.shortcodes import PROVENANCE

__all__ = ["PROVENANCE", "provenance"]

# Computed variables, by group: the results table they are read from and which row.
TABLES = {
    "comparison": ("published_vs_reproduced.csv", "all rows, by the match column"),
    "cleaning": ("{processed}/published/cleaning_log.csv", "all rows, by rule"),
    "coverage": ("interval_coverage_summary.csv", "the row of the method named"),
    "coverage_grid": ("interval_coverage.csv", "the grid of sizes and proportions"),
}
EXTRACT = {
    "kappa": ("agreement.csv", "the variables where kappa is defined"),
    "tests": ("subgroup_tests.csv", "every test with a p-value"),
    "significant": ("subgroup_tests.csv", "tests below the level after adjustment"),
    "paths": ("extract_vs_published.csv", "all rows, by the agree column"),
    "": ("{processed}/extract/summary.json", "the cleaning summary of the extract"),
}
BRUISING = {  # variable name prefix: (results table, row)
    "pool_": ("bruising_pooled.csv", "the main pool"),
    "sugar_pct": ("bruising_base_rates.csv", "sugar_under_6m"),
    "sugar_ci": ("bruising_base_rates.csv", "sugar_under_6m"),
    "sugar_exact": ("bruising_base_rates.csv", "sugar_under_6m (count over nobs)"),
    "pierce_": ("bruising_base_rates.csv", "pierce_5m_or_less"),
    "kemp_obs_": ("bruising_base_rates.csv", "kemp_premobile_obs"),
    "audit_": ("bruising_audit.csv", "the talk_ and paper_ rows"),
    "bruised_low": ("bruising_scenarios.csv", "published low end"),
    "ratio_low": ("bruising_scenarios.csv", "published low end"),
    "break_even": ("bruising_scenarios.csv", "published low end"),
    "ppv_": ("bruising_ppv.csv", "the scenario named"),
    "mc_": ("bruising_monte_carlo.csv", "ratio"),
    "independent_at_k": ("bruising_period.csv", "the configured number of observations"),
    "matched_rho": ("bruising_period.csv", "the configured number of observations"),
}
INPUTS = {  # bruising variables that are inputs of the implication analysis: config section, name
    "threshold": ("implications", "threshold"),
    "infants": ("implications", "infants"),
    "plans": ("implications", "plans_per_year"),
    "rate_low": ("implications", "base_rate"),
    "rate_high": ("implications", "base_rate"),
    "prior": ("implications", "prior"),
    "sensitivity": ("implications", "sensitivity"),
    "kemp_weekly": ("period", "weekly_point_prevalence"),
    "kemp_k": ("period", "observations"),
    "kemp_observed": ("period", "observed_period_prevalence"),
}
TRENDS = {  # the first matching prefix wins
    "total_model": ("trend_models.csv", "notifications_total, the chosen model"),
    "total_dispersion": ("trend_models.csv", "notifications_total, the Pearson dispersion"),
    "total_apc": ("trend_models.csv", "notifications_total, the chosen model"),
    "harm_dispersion": ("trend_models.csv", "notifications_serious_harm, the Pearson dispersion"),
    "backtest_": ("trend_backtest.csv", "the series and model named"),
    "pi_": ("trend_forecasts.csv", "the levels of its prediction intervals"),
    "total_": ("trend_joinpoints.csv", "notifications_total"),
    "deaths_apc": ("trend_models.csv", "notifications_deaths, the chosen model"),
    "harm_apc": ("trend_models.csv", "notifications_serious_harm, the chosen model"),
    "scr_": ("trend_models.csv", "scr_national_analyses, the chosen model"),
    "nonfatal_": ("trend_contrasts.csv", "the non-fatal contrasts, exact conditional"),
    "rapid_": ("trend_contrasts.csv", "the rapid review contrast, exact conditional"),
    "harm_share_or": ("trend_harm_share.csv", "the only row"),
    "forecast_": ("trend_forecasts.csv", "notifications_total"),
}
RAW_FIELDS = {"count", "nobs", "printed", "count_range", "group"}
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!$@|~^\"'])")


def escape(text: str) -> str:
    """Text shown as is in Markdown (no emphasis, links, citations or maths)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def cited(key: str, locator: str = "") -> str:
    """An author-year citation with its locator, as Pandoc Markdown."""
    where = f", {escape(locator).replace(';', ',')}" if locator else ""
    return f"[@{key}{where}]"


def computed(table: str, row: str, folders: dict[str, str]) -> str:
    """`table` is a file of the analysis's results/<analysis>/tables/, or a path under its
    data/processed/<analysis>/ (`{processed}/...`): `folders` names the two (meta)."""
    shown = table.format(**folders) if "/" in table else f"{folders['results']}/tables/{table}"
    return f"Computed: `{shown}`, {escape(row)}."


def status_text(r) -> str:
    """A raw row's status, with its primary source and whether that was checked."""
    text = str(r["status"])
    if text == "unchecked":
        text = "printed according to the project's notes, not checked against the source"
    if r.get("primary_source"):
        # True as read from the data, "true" as text from the tables of the appendix
        checked = any(str(r.get(c)).lower() == "true" for c in ("primary_checked", "verified"))
        text += f", primary {cited(r['primary_source'])} {'checked' if checked else 'not checked'}"
    return text


def raw_tip(r) -> str:
    """A raw figure: source with locator, status, primary source, quote; a quote taken from
    the project's notes says so (they are not the source's words)."""
    quote = f"“{escape(r['quote'])}”"
    if r.get("quote_from") == "notes":
        quote = f"Quote from the project's notes, not the source's words: {quote}"
    return f"Source: {cited(r['source'], r['locator'])}; {status_text(r)}. {quote}"


def input_source(spec: dict) -> str:
    """Where an input of the bruising analysis comes from: the cited raw row, or who assumes
    it and why; and who assumes the ends of its sensitivity range."""
    prov = spec["provenance"]
    if prov["status"] == "assumed":
        text = f"assumed by {escape(prov['assumed_by'])}: {escape(prov['why'])}"
    else:
        text = f"{cited(prov['source'], prov['locator'])}, {status_text(prov)}"
    if "ends" in spec and prov["status"] != "assumed":
        ends = spec["ends"]
        text += f"; ends assumed by {escape(ends['assumed_by'])}: {escape(ends['why'])}"
    return text


def flatten(variables: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for name, value in variables.items():
        if isinstance(value, dict):
            out |= flatten(value, f"{prefix}{name}.")
        else:
            out[prefix + name] = value
    return out


def by_prefix(rules: dict, name: str):
    return next((v for k, v in rules.items() if name.startswith(k)), None)


def provenance(variables: dict, raw: pd.DataFrame | None, bruising: dict | None) -> dict:
    """Markdown pop-up text for every variable key (see the module docstring).

    `raw`: the raw published rows by row_id (None for a local report: no quotes to show);
    `bruising`: the bruising chapter's inputs and studies, if it is in the report.
    `variables["meta"]` names the run's folders (`results`, `processed`).
    """
    folders = {name: variables["meta"][name] for name in ("results", "processed")}

    def from_table(table: str, row: str) -> str:
        return computed(table, row, folders)

    out = {}
    for key in flatten(variables):
        group, _, name = key.rpartition(".")
        top = key.split(".")[0]
        tip = None
        if top == "meta":
            tip = "Set by the run's configuration (`config/config.yaml`)."
        elif top in TABLES:
            tip = from_table(*TABLES[top])
        elif top == "extract":
            tip = from_table(*by_prefix(EXTRACT, name))
        elif top == "bruising":
            tip = bruising_tip(name, bruising, from_table)
        elif top == "panel":
            row_id = key.split(".")[1]
            if name == "printed" and raw is not None and row_id in raw.index:
                tip = raw_tip(raw.loc[row_id])
            else:
                tip = from_table("panel_figures.csv", f"row {row_id}, over its bases")
        elif top == "then_and_now":
            tip = from_table("then_and_now.csv", f"row {key.split('.')[1]}")
        elif top == "trends":
            spec = by_prefix(TRENDS, name)
            tip = from_table(*spec) if spec else None
        elif raw is not None and name in RAW_FIELDS and group in raw.index:
            row = raw.loc[group]
            if name == "printed" and row["status"] == "derived":
                row = row.copy()  # the printed value is printed, whatever else is derived
                row["status"] = "printed"
            tip = raw_tip(row)
            if name == "count_range":
                tip = "Derived from the printed percentage. " + tip
        elif "." in key:
            tip = from_table("prevalence.csv", f"row {group}")
        if tip:
            out[key] = tip
    return out


def bruising_tip(name: str, bruising: dict | None, from_table) -> str | None:
    if bruising is None:
        return None
    if name in INPUTS:
        section, item = INPUTS[name]
        spec = bruising["inputs"][section][item]
        where = f"`bruising.{section}.{item}` in `config/config.yaml`"
        if spec["provenance"]["status"] == "assumed":
            return f"An input of the analysis, {where}, {input_source(spec)}."
        return f"{raw_tip(spec['provenance'])} Named by {where}."
    if name in ("sugar_printed", "sugar_count", "sugar_nobs"):
        studies = bruising["studies"].astype({"verified": str}).set_index("row_id")
        row = studies.loc["sugar_under_6m"].copy()
        row["verified"] = row["verified"].lower()
        return raw_tip(row.fillna(""))
    if name == "mc_central":
        low, high = (f"{100 * q:g}th" for q in MC_QUANTILES)
        return f"The Monte Carlo interval runs from the {low} to the {high} percentile."
    spec = by_prefix(BRUISING, name)
    return from_table(*spec) if spec else None
