"""Rule validate_published: check every published table before anything reads it."""

import json
from pathlib import Path

from triennial.data import published
from triennial.pipeline.step import log, run_step


def main(descriptor: str, report: str) -> None:
    """Validate the data package; write a summary (the run stops on any problem)."""
    summary = published.validate(Path(descriptor))
    Path(report).parent.mkdir(parents=True, exist_ok=True)
    Path(report).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    log.info("%d rows in %d tables: valid", summary["rows"], len(summary["tables"]))


if __name__ == "__main__":
    run_step(
        lambda: main(snakemake.input.descriptor, snakemake.output.report),
        snakemake.log[0],
    )
