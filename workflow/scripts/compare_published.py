"""Rule compare_published: every printed percentage against the one recomputed."""

from triennial.pipeline.published import compare_published
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        compare_published,
        clean=snakemake.input.clean,
        table=snakemake.output.table,
    )
