"""The run's configuration: defaults filled in from the schema, then every check the
schema cannot express (a private extract suppressed, real dates in order, extract files
that exist, a partnership's own results folder). The Snakefile calls `problems` once on
every start; each message names the config key, the value and what was expected.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from copy import deepcopy
from datetime import date
from pathlib import Path

import jsonschema

from triennial.analysis.bruising_terms import GLMM


def with_defaults(instance: dict, schema: dict) -> dict:
    """Fill in every absent key that has a default in the schema, at every depth."""
    for key, sub in schema.get("properties", {}).items():
        if key not in instance and "default" in sub:
            instance[key] = deepcopy(sub["default"])
        if isinstance(instance.get(key), dict):
            with_defaults(instance[key], sub)
    return instance


def problems(config: dict, schema: dict) -> list[str]:
    """Every problem of a config (defaults already filled in), one message each."""
    errors = jsonschema.Draft202012Validator(schema).iter_errors(config)
    messages = [
        f"config key '{'.'.join(map(str, e.absolute_path)) or '(top level)'}': {e.message}"
        for e in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))
    ]
    if messages:  # the checks below need the schema's types
        return messages
    pooling = config["bruising"]["pooling"]
    fitted = {"scales": pooling["scales"], "tau2_methods": [GLMM, *pooling["tau2_methods"]]}
    for key, choices in (("scale", "scales"), ("method", "tau2_methods")):
        if pooling["main"][key] not in fitted[choices]:
            messages.append(
                f"config key 'bruising.pooling.main.{key}': {pooling['main'][key]!r} is not "
                f"one of bruising.pooling.{choices} {fitted[choices]}"
            )
    if messages:
        return messages
    return (
        check_suppression(config)
        + check_period(config["analysis"])
        + check_extract_files(config["extracts"]["files"])
        + check_results_folder(config)
    )


def analysis_folder(config):
    """The folder of this analysis under results/ (and data/processed/, logs/):
    analysis.results if set, else `national` for the demonstration extract and
    `local-<analysis.name as a slug>` for a partnership's own."""
    if config["analysis"].get("results"):
        return config["analysis"]["results"]
    if config["extracts"]["demonstration"]:
        return "national"
    name = unicodedata.normalize("NFKD", config["analysis"]["name"])
    slug = re.sub(r"[^a-z0-9]+", "-", name.encode("ascii", "ignore").decode().lower())
    return "-".join(filter(None, ["local", slug.strip("-")]))


def check_results_folder(config):
    """A partnership's run never writes into the national analysis's folder."""
    if not config["extracts"]["demonstration"] and analysis_folder(config) == "national":
        return [
            "config key 'analysis.results': 'national' is the folder of the national "
            "demonstration; a partnership's extract (extracts.demonstration: false) needs "
            "a folder of its own (leave analysis.results empty for local-<analysis.name>)"
        ]
    return []


def set_aside_report(folder, why):
    """A refused or failed run: move the earlier report out of <folder>/report/ into
    <folder>/report-STALE/, with a note saying why, so it is not taken for this run's.
    """
    reports = sorted((folder / "report").glob("*.*"))
    if not reports:
        return
    stale = folder / "report-STALE"
    stale.mkdir(parents=True, exist_ok=True)
    for path in reports:
        path.replace(stale / path.name)
    (stale / "README.md").write_text(
        "These report files are from an earlier run, not the latest: the latest run "
        f"stopped ({why}). Fix the problem and run again.\n",
        encoding="utf-8",
    )
    print(f"The earlier report of {folder}/ is set aside in {stale}/.", file=sys.stderr)


def check_extract_files(files):
    """Every extract file exists (a mistyped path stops here, naming it)."""
    return [
        f"config key 'extracts.files': {f!r} does not exist (as a path from {Path.cwd()})"
        for f in files
        if not Path(f).is_file()
    ]


def check_suppression(config):
    """A private extract is suppressed unless switched off explicitly, never with a
    threshold too small to protect anyone."""
    suppression = config["suppression"]
    if config["extracts"]["demonstration"] or not suppression["enabled"]:
        return []
    if suppression["threshold"] < 3:
        return [
            f"config key 'suppression.threshold': {suppression['threshold']} is below 3, "
            "which protects no one; use 3 or more (5 is usual), or set "
            "suppression.enabled: false to switch suppression off explicitly"
        ]
    return []


def check_period(analysis):
    """period_start and period_end are real dates, in order."""
    days = {}
    for key in ("period_start", "period_end"):
        try:
            days[key] = date.fromisoformat(str(analysis[key]))
        except ValueError:
            return [
                f"config key 'analysis.{key}': {analysis[key]!r} is not a real date (YYYY-MM-DD)"
            ]
    if days["period_end"] < days["period_start"]:
        return [
            f"config key 'analysis.period_end': {analysis['period_end']} is before "
            f"analysis.period_start {analysis['period_start']}"
        ]
    return []
