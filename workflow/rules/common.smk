# Config validation and the input lists every rule shares.
from pathlib import Path

import contextlib
import hashlib
import json
import re
import shutil
import sys

import yaml

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

from triennial.pipeline.code import code_inputs
from triennial.pipeline.config import (
    analysis_folder,
    check_results_folder,
    problems,
    set_aside_report,
    with_defaults,
)
from triennial.report import contents
from triennial.report.render.engine import choose_engine, date_epoch

min_version("9.0")

# One software environment for every rule: the conda route's environment.yml, which
# also installs this package (`snakemake --sdm conda` uses it); the pip route
# (run.py) installs the same pins from the lock files.
CONDA_ENV = "../../environment.yml"


def validate_config():
    """Fill in defaults, then check config once, naming each wrong key."""
    schema_path = Path(workflow.basedir) / "schemas" / "config.schema.yaml"
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    with_defaults(config, schema)
    messages = problems(config, schema)
    if messages:
        # The config asks for something the analysis folder does not show: its
        # earlier report is set aside (if the folder can be named at all, is a folder
        # name, not a path a mistyped analysis.results points elsewhere, and is this
        # analysis's own, not the national one a local config named by mistake).
        with contextlib.suppress(KeyError, TypeError, AttributeError):
            folder = analysis_folder(config)
            results = schema["properties"]["analysis"]["properties"]["results"]
            if re.fullmatch(results["pattern"], folder) and not check_results_folder(
                config
            ):
                set_aside_report(
                    Path("results") / folder,
                    "the configuration was refused: " + "; ".join(messages),
                )
        raise WorkflowError(
            "\n".join(messages)
            + f"\nThe keys are described in {schema_path} and config/README.md."
        )


validate_config()


def code(script):
    """The code inputs of a script: the package modules it runs, and their data files."""
    return list(code_inputs(str(Path(workflow.basedir) / "scripts" / f"{script}.py")))


def package_files(descriptor):
    """Every file of a data package: descriptor, schemas and tables.

    Read with json, not the triennial package: this runs on every start, even a no-op.
    """
    descriptor = Path(descriptor)
    try:
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        tables = [str(descriptor.parent / r["path"]) for r in package["resources"]]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise WorkflowError(
            f"{descriptor}: not a readable data package ({err})"
        ) from None
    schemas = sorted(str(p) for p in descriptor.parent.glob("*.schema.json"))
    return [str(descriptor)] + schemas + tables


def published_files():
    """Every file of the published-tables data package."""
    return package_files(config["published_tables"])


def bruising_files():
    """Every file of the bruising data package: descriptor, schemas and tables."""
    return package_files(config["bruising"]["studies"])


# The national report (the public demonstration data) takes its estimates from the
# published tables and checks the extract against them; the local report (a
# partnership's own extract) uses the extract alone, with small-number suppression.
# NATIONAL is the one switch between the two. Each analysis has its own folders
# (ANALYSIS, see analysis_folder), so a national and a local run never overwrite or mix
# each other's files; all outputs go under OUT (results), PROCESSED (intermediate
# files) and LOGS.
NATIONAL = config["extracts"]["demonstration"]
ANALYSIS = analysis_folder(config)
OUT = f"results/{ANALYSIS}"
PROCESSED = f"data/processed/{ANALYSIS}"
LOGS = f"logs/{ANALYSIS}"
# The gate, written once every raw input of the run has passed its checks. Each job
# that writes under OUT takes it as an ancient input, which orders the jobs but never
# triggers a rerun; so a bad input stops the run before any result is written.
VALIDATED = f"{PROCESSED}/inputs_valid.json"
SUPPRESSED = not NATIONAL and config["suppression"]["enabled"]
REPORT_SOURCE = "report"
REPORT_STEM = "triennial-report" if NATIONAL else "local-report"
# An unsuppressed local report says so in its file name (and on its title page).
OUTPUT_STEM = REPORT_STEM if NATIONAL or SUPPRESSED else "local-report-UNSUPPRESSED"

# The engine is decided once: the software table records the one that renders.
try:
    ENGINE = choose_engine(config["report"]["engine"])
except RuntimeError as err:
    raise WorkflowError(f"config key 'report.engine': {err}") from None


def estimates():
    """The prevalence table the report is about."""
    if NATIONAL:
        return rules.prevalence.output.table
    return rules.extract_analysis.output.prevalence


def report_inputs(wildcards):
    """Named inputs of report_inputs: every table a number in the report comes from."""
    inputs = {
        "valid": ancient(VALIDATED),
        "code": code("report_inputs"),
        "prevalence": estimates(),
        "extract_summary": rules.clean_extract.output.summary,
        "quarantine": rules.clean_extract.output.quarantine,
        "agreement": rules.extract_analysis.output.agreement,
        "subgroup_tests": rules.extract_analysis.output.subgroup_tests,
        "disclosure": rules.extract_analysis.output.disclosure,
        "software": rules.software_versions.output.versions,
        "checksums": rules.software_versions.output.checksums,
        "coverage": rules.interval_coverage.output.summary,
        "coverage_grid": rules.interval_coverage.output.table,
    }
    if NATIONAL:
        inputs |= {
            "clean": rules.clean_published.output.clean,
            "cleaning_log": rules.clean_published.output.cleaning_log,
            "comparison": rules.compare_published.output.table,
            "paths": rules.compare_paths.output.table,
            "bruising_studies": config["bruising"]["studies"],
            "bruising_base_rates": rules.bruising_rates.output.base_rates,
            "bruising_audit": rules.bruising_rates.output.audit,
            "bruising_pooled": rules.bruising_pool.output.pooled,
            "bruising_leave_one_out": rules.bruising_pool.output.leave_one_out,
            "bruising_selection": rules.bruising_pool.output.selection,
            "bruising_subgroups": rules.bruising_pool.output.subgroups,
            "bruising_period": rules.bruising_implications.output.period,
            "bruising_scenarios": rules.bruising_implications.output.scenarios,
            "bruising_ppv": rules.bruising_implications.output.ppv,
            "bruising_one_way": rules.bruising_implications.output.one_way,
            "bruising_monte_carlo": rules.bruising_implications.output.monte_carlo,
            "trends_models": rules.trends.output.models,
            "trends_joinpoints": rules.trends.output.joinpoints,
            "trends_backtest": rules.trends.output.backtest,
            "trends_forecasts": rules.trends.output.forecasts,
            "trends_contrasts": rules.trends.output.contrasts,
            "trends_harm_share": rules.trends.output.harm_share,
            "panel_figures": rules.then_and_now.output.figures,
            "panel_then_and_now": rules.then_and_now.output.then_and_now,
            "panel_not_used": rules.then_and_now.output.not_used,
            "package_panel": config["panel_tables"],
            "package_published": config["published_tables"],
            "package_bruising": config["bruising"]["studies"],
            "package_trends": config["trends"]["series"],
            "package_files": published_files()
            + bruising_files()
            + package_files(config["trends"]["series"])
            + package_files(config["panel_tables"]),
        }
    return inputs


def theme_chapter():
    """The local report's learning themes chapter (the national extract codes none)."""
    return [] if NATIONAL else [rules.themes.output.chapter]


def report_figures():
    """Every figure the report shows: the bruising chapter's in the national report."""
    figures = [*rules.figures.output, rules.interval_coverage.output.figure]
    if NATIONAL:
        figures += [
            rules.bruising_pool.output.forest,
            rules.bruising_implications.output.period_figure,
        ]
        figures += [
            rules.bruising_implications.output.tornado,
            rules.bruising_implications.output.monte_carlo_figure,
            rules.trends.output.figure,
            rules.then_and_now.output.figure,
        ]
    return figures


def suppression_threshold():
    """0 (no suppression) for the public demonstration data or when switched off, else
    the configured threshold."""
    return config["suppression"]["threshold"] if SUPPRESSED else 0


def final_outputs():
    """The report and every results table (the national ones only for national runs,
    the learning themes only for local runs)."""
    outputs = [
        *rules.render_report.output,
        rules.extract_analysis.output.prevalence,
        rules.extract_analysis.output.subgroup_prevalence,
        rules.extract_analysis.output.subgroup_tests,
        rules.extract_analysis.output.agreement,
        *rules.interval_coverage.output,
    ]
    if not NATIONAL:
        outputs += [*rules.themes.output]
    if NATIONAL:
        outputs += [
            *rules.prevalence.output,
            *rules.compare_published.output,
            *rules.compare_paths.output,
            *rules.bruising_rates.output,
            *rules.bruising_pool.output,
            *rules.bruising_implications.output,
            *rules.trends.output,
            *rules.then_and_now.output,
        ]
    return outputs


def raw_packages():
    """The raw data packages this run reads besides the extract, by the name their
    validation is written under: the local report reads the panel and the trend series
    (its learning themes' yardstick), the national one every package."""
    packages = {"trends": config["trends"]["series"], "panel": config["panel_tables"]}
    if NATIONAL:
        packages |= {"bruising": config["bruising"]["studies"]}
    return packages


def validations():
    """The outputs of every check on this run's raw inputs: the extract's cleaning, the
    published tables' validation (national run) and each raw data package's."""
    files = list(rules.clean_extract.output)
    files += expand(rules.validate_package.output.report, package=raw_packages())
    if NATIONAL:
        files += list(rules.validate_published.output)
    return sorted(files)


def refused_before_any_result():
    """True when a check on a raw input failed in this run. Snakemake deletes the
    outputs of a failed job, and no job writing under OUT can start before every check
    is written (VALIDATED): a missing check means nothing under OUT was touched."""
    return not all(Path(f).exists() for f in validations())


def earlier_run_note():
    """What OUT holds after a refused input: the earlier run, if its manifest checks."""
    manifest = Path(OUT) / "MANIFEST.sha256"
    if not manifest.exists():
        return f"{OUT}/ holds no complete earlier run of this analysis."
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        if name.startswith(f"{OUT}/") and (
            not Path(name).exists()
            or hashlib.sha256(Path(name).read_bytes()).hexdigest() != digest
        ):
            return f"{OUT}/ does not hold a complete earlier run ({name} has changed)."
    return (
        f"Nothing under {OUT}/ was written or moved: it still holds the earlier complete "
        f"run (every file checks against {manifest}), which does not reflect the refused "
        "input."
    )


def manifest_inputs():
    """Every file the pipeline writes for this run (results and processed data)."""
    files = final_outputs() + validations() + [VALIDATED]
    files += list(rules.software_versions.output) + list(rules.report_inputs.output)
    files += report_figures()
    if NATIONAL:
        files += list(rules.clean_published.output)
    return sorted(set(files))


def checksummed_inputs():
    """The data a run reads, for the checksum table: the extract always; the published
    tables, bruising studies and series only for the national report."""
    files = config["extracts"]["files"] + [
        config["extracts"]["codebook"],
        "config/config.yaml",
    ]
    if NATIONAL:
        files = (
            published_files()
            + bruising_files()
            + package_files(config["trends"]["series"])
            + package_files(config["panel_tables"])
            + files
        )
    return files
