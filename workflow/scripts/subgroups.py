"""Rule subgroups: characteristics by age band and outcome, tests, adjusted p-values."""

from triennial.pipeline.extract_analysis import subgroups
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        subgroups,
        reviews=snakemake.input.reviews,
        codebook=snakemake.input.codebook,
        plan=snakemake.input.plan,
        out=snakemake.output,
        method=snakemake.params.method,
        alpha=snakemake.params.alpha,
        threshold=snakemake.params.threshold,
    )
