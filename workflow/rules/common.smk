# Config validation and the input lists every rule shares.
from pathlib import Path

import json
import sys

import yaml

# jsonschema imports rfc3987_syntax when installed (Jupyter brings it) and spends ~3 s
# compiling its IRI grammar; no schema here uses the 'iri' formats, so skip it.
sys.modules.setdefault("rfc3987_syntax", None)
import jsonschema

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

min_version("9.0")

# One software environment for every rule: the conda route's environment.yml, which
# also installs this package (`snakemake --sdm conda` uses it); the pip route
# (run.py) installs the same pins from requirements.lock.
CONDA_ENV = "../../environment.yml"


def validate_config():
    """Check config against its schema, naming each wrong key; then fill in defaults."""
    schema_path = Path(workflow.basedir) / "schemas" / "config.schema.yaml"
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    errors = jsonschema.Draft202012Validator(schema).iter_errors(config)
    messages = [
        f"config key '{'.'.join(map(str, e.absolute_path)) or '(top level)'}': {e.message}"
        for e in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))
    ]
    if messages:
        raise WorkflowError(
            "\n".join(messages)
            + f"\nThe keys are described in {schema_path} and config/README.md."
        )
    validate(config, schema="../schemas/config.schema.yaml")


validate_config()


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
    descriptor = Path(config["bruising"]["studies"])
    try:
        package = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise WorkflowError(
            f"{descriptor}: not a readable data package ({err})"
        ) from None
    schemas = sorted(str(p) for p in descriptor.parent.glob("*.schema.json"))
    return (
        [str(descriptor)]
        + schemas
        + [str(descriptor.parent / r["path"]) for r in package["resources"]]
    )


# The statistics package is code every rule runs; listing it as an input makes a
# change to it rerun the rules (Snakemake tracks scripts, not what they import).
PACKAGE_FILES = sorted(
    str(p)
    for p in Path("src/triennial").rglob("*")
    if p.is_file() and "__pycache__" not in p.parts
)


# The national report (the public demonstration data) takes its estimates from the
# published tables and checks the extract against them; the local report (a
# partnership's own extract) uses the extract alone, with small-number suppression.
NATIONAL = config["extracts"]["demonstration"]
REPORT_SOURCE = "report"
REPORT_STEM = "triennial-report" if NATIONAL else "local-report"
REPORT_TABLES = [
    "tbl_key_data.md",
    "tbl_parental.md",
    "tbl_family.md",
    "tbl_child.md",
    "tbl_neglect_adversity.md",
    "tbl_review_methods.md",
    "tbl_agreement.md",
    "tbl_subgroups.md",
    "tbl_quarantine.md",
    "tbl_software.md",
    "tbl_checksums.md",
]
if NATIONAL:
    REPORT_TABLES += ["tbl_comparison.md", "tbl_cleaning.md", "tbl_paths.md"]
    REPORT_TABLES += [
        f"tbl_bruising_{name}.md"
        for name in ("studies", "pooled", "loo", "assumptions", "scenarios", "audit")
    ]
    REPORT_TABLES += [
        f"tbl_trend_{name}.md"
        for name in ("models", "joinpoints", "contrasts", "forecasts")
    ]
    REPORT_TABLES += ["tbl_provenance.md", "tbl_not_printed.md"]


def estimates():
    """The prevalence table the report is about."""
    if NATIONAL:
        return rules.prevalence.output.table
    return rules.extract_measures.output.prevalence


def report_inputs(wildcards):
    """Named inputs of report_inputs: every table a number in the report comes from."""
    inputs = {
        "code": PACKAGE_FILES,
        "prevalence": estimates(),
        "extract_summary": rules.clean_extract.output.summary,
        "quarantine": rules.clean_extract.output.quarantine,
        "agreement": rules.agreement.output.table,
        "subgroup_tests": rules.subgroups.output.tests,
        "software": rules.software_versions.output.versions,
        "checksums": rules.software_versions.output.checksums,
        "coverage": rules.interval_coverage.output.summary,
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
            "bruising_period": rules.bruising_period.output.table,
            "bruising_scenarios": rules.bruising_implications.output.scenarios,
            "bruising_ppv": rules.bruising_implications.output.ppv,
            "bruising_one_way": rules.bruising_implications.output.one_way,
            "bruising_monte_carlo": rules.bruising_implications.output.monte_carlo,
            "trends_models": rules.trends.output.models,
            "trends_joinpoints": rules.trends.output.joinpoints,
            "trends_forecasts": rules.trends.output.forecasts,
            "trends_contrasts": rules.trends.output.contrasts,
            "trends_harm_share": rules.trends.output.harm_share,
            "package_published": config["published_tables"],
            "package_bruising": config["bruising"]["studies"],
            "package_trends": config["trends"]["series"],
            "package_files": published_files()
            + bruising_files()
            + package_files(config["trends"]["series"]),
        }
    return inputs


def report_figures():
    """Every figure the report shows: the bruising chapter's in the national report."""
    figures = [*rules.figures.output, rules.interval_coverage.output.figure]
    if NATIONAL:
        figures += [
            rules.bruising_pool.output.forest,
            rules.bruising_period.output.figure,
        ]
        figures += [
            rules.bruising_implications.output.tornado,
            rules.bruising_implications.output.monte_carlo_figure,
            rules.trends.output.figure,
        ]
    return figures


def suppression_threshold():
    """0 (no suppression) for the public demonstration data, else the configured one."""
    if config["extracts"]["demonstration"]:
        return 0
    return config["suppression"]["threshold"]


def final_outputs():
    """The report and every results table (the national ones only for national runs)."""
    outputs = [
        *rules.render_report.output,
        *rules.extract_measures.output,
        *rules.agreement.output,
        *rules.subgroups.output,
        *rules.interval_coverage.output,
    ]
    if NATIONAL:
        outputs += [
            *rules.prevalence.output,
            *rules.compare_published.output,
            *rules.compare_paths.output,
            *rules.bruising_rates.output,
            *rules.bruising_pool.output,
            *rules.bruising_period.output,
            *rules.bruising_implications.output,
            *rules.trends.output,
        ]
    return outputs


def manifest_inputs():
    """Every file the pipeline writes for this run (results and processed data)."""
    files = final_outputs() + list(rules.clean_extract.output)
    files += list(rules.software_versions.output) + list(rules.report_inputs.output)
    files += report_figures()
    if NATIONAL:
        files += list(rules.validate_published.output) + list(
            rules.clean_published.output
        )
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
            + files
        )
    return files
