"""Rules that read the published tables: validate, clean, check every printed figure, and
compare the extract's figures with them."""

from __future__ import annotations

from pathlib import Path

from triennial.analysis.comparison import compare_paths as compare_extract_with_published
from triennial.analysis.comparison import published_vs_reproduced
from triennial.data import published
from triennial.data.results import read_prevalence
from triennial.pipeline.step import log, write_csv, write_json


def validate_published(descriptor: str, report: str) -> None:
    """Validate the data package; write a summary (the run stops on any problem)."""
    summary = published.validate(Path(descriptor))
    write_json(summary, report)
    log.info("%d rows in %d tables: valid", summary["rows"], len(summary["tables"]))


def clean_published(descriptor: str, clean: str, cleaning_log: str) -> None:
    """Apply corrections, fill denominators; write the tidy figures and the change log."""
    tables, changes = published.clean(Path(descriptor))
    write_csv(tables, clean)
    write_csv(changes, cleaning_log)


def compare_published(clean: str, table: str) -> None:
    """Every printed percentage against the one recomputed; log any that does not match."""
    result = published_vs_reproduced(published.read_clean(clean))
    for _, row in result[result["match"].astype("boolean") == False].iterrows():  # noqa: E712
        log.warning(
            "%s: printed %s, recomputed %s", row["row_id"], row["printed"], row["reproduced"]
        )
    write_csv(result, table)


def compare_paths(extract: str, clean: str, table: str) -> None:
    """One row per published figure the extract reproduces, with an agree flag."""
    counts = read_prevalence(extract)
    paths = compare_extract_with_published(published.read_clean(clean), counts)
    log.info("%d of %d figures agree between the two paths", paths["agree"].sum(), len(paths))
    write_csv(paths, table)
