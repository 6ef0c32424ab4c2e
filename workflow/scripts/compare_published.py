"""Rule compare_published: every printed percentage against the one recomputed."""

from triennial.analysis.comparison import published_vs_reproduced
from triennial.data import published
from triennial.pipeline.step import log, run_step, write_csv


def main(clean: str, table: str) -> None:
    """Write the published-vs-reproduced table; log any figure that does not match."""
    result = published_vs_reproduced(published.read_clean(clean))
    for _, row in result[result["match"].astype("boolean") == False].iterrows():  # noqa: E712
        log.warning(
            "%s: printed %s, recomputed %s", row["row_id"], row["printed"], row["reproduced"]
        )
    write_csv(result, table)


if __name__ == "__main__":
    run_step(lambda: main(snakemake.input.clean, snakemake.output.table), snakemake.log[0])
