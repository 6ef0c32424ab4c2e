"""Rule interval_coverage: exact coverage of each interval method."""

from triennial.pipeline.coverage import interval_coverage
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        interval_coverage,
        out=snakemake.output,
        alpha=snakemake.params.alpha,
    )
