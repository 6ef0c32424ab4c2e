"""Rule clean_published: apply corrections, fill denominators, write one tidy table."""

from pathlib import Path

from triennial.data import published
from triennial.pipeline.step import run_step, write_csv


def main(descriptor: str, clean: str, cleaning_log: str) -> None:
    """Write the clean published figures and the log of every value changed."""
    tables, changes = published.clean(Path(descriptor))
    write_csv(tables, clean)
    write_csv(changes, cleaning_log)


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input.descriptor, snakemake.output.clean, snakemake.output.cleaning_log
        ),
        snakemake.log[0],
    )
