"""Rule compare_paths: the extract path against the published-table path."""

from triennial.pipeline.published import compare_paths
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        compare_paths,
        extract=snakemake.input.extract,
        clean=snakemake.input.published,
        table=snakemake.output.table,
    )
