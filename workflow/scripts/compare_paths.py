"""Rule compare_paths: the extract path against the published-table path."""

from triennial.analysis.comparison import compare_paths
from triennial.analysis.prevalence import read_prevalence
from triennial.data import published
from triennial.pipeline.step import log, run_step, write_csv


def main(extract: str, clean: str, table: str) -> None:
    """One row per published figure the extract reproduces, with an agree flag."""
    counts = read_prevalence(extract).rename(columns={"n": "numerator", "N": "denominator"})
    paths = compare_paths(published.read_clean(clean), counts)
    log.info("%d of %d figures agree between the two paths", paths["agree"].sum(), len(paths))
    write_csv(paths, table)


if __name__ == "__main__":
    run_step(
        lambda: main(snakemake.input.extract, snakemake.input.published, snakemake.output.table),
        snakemake.log[0],
    )
