"""The clean_extract rule: map coded extracts onto the codebook; log, quarantine, count."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from triennial.data.codebook import load_codebook
from triennial.data.errors import DataError, Problem
from triennial.data.extract import SOURCE_FILE, SOURCE_ROW, clean_extracts
from triennial.pipeline.step import log, write_csv


def clean_extract(
    files: list[str],
    codebook: str,
    start: str,
    end: str,
    out,
    demonstration: bool = False,
    sheet: str | None = None,
) -> None:
    """Write the clean rows, the analysis records, the quarantine, the log and a summary;
    print and log the warnings (data read, but worth a look)."""
    result = clean_extracts(
        [Path(f) for f in files],
        load_codebook(Path(codebook)),
        date.fromisoformat(start),
        date.fromisoformat(end),
        demonstration,
        sheet,
    )
    for warning in result.warnings:
        log.warning("%s", warning)
        print(f"WARNING: {warning}", file=sys.stderr)
    reviews = result.reviews()
    if reviews.empty:
        raise DataError(no_reviews(files, result, start, end))
    first, _ = result.double_coded()
    write_csv(result.clean, out.clean)
    write_csv(reviews, out.reviews)
    write_csv(result.quarantine, out.quarantine)
    write_csv(result.log, out.cleaning_log)
    summary = {
        "files": [str(f) for f in files],
        "rows_in": result.rows_in,
        "clean_rows": len(result.clean),
        "quarantined_rows": len(result.quarantine),
        "reviews": len(reviews),
        "double_coded_reviews": len(first),
        "values_changed": len(result.log),
    }
    Path(out.summary).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    log.info("%s", summary)


def no_reviews(files: list[str], result, start: str, end: str) -> list[Problem]:
    """Why no review is left to analyse: every row quarantined (the first reasons), or none read."""
    where = ", ".join(files)
    if not result.rows_in:
        return [Problem.of_file(where, "no data rows: there is no review to analyse")]
    rows = result.quarantine
    dates = rows["reason"].str.contains("notification_date", regex=False).sum()
    summary = (
        f"no review left to analyse: all {result.rows_in} rows were quarantined"
        + (
            f", {dates} of them for a notification date outside the analysis period "
            f"{start} to {end} (analysis.period_start / period_end)"
            if dates
            else ""
        )
        + "; the first reasons follow"
    )
    first = [
        Problem(str(r[SOURCE_FILE]), int(r[SOURCE_ROW]), None, None, str(r["reason"]))
        for _, r in rows.head(3).iterrows()
    ]
    return [Problem.of_file(where, summary), *first]
