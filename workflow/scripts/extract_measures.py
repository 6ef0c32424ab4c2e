"""Rule extract_measures: the published measures computed from the review extract."""

from triennial.pipeline.extract_analysis import extract_measures
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        extract_measures,
        reviews=snakemake.input.reviews,
        codebook=snakemake.input.codebook,
        plan=snakemake.input.plan,
        table=snakemake.output.prevalence,
        method=snakemake.params.method,
        alpha=snakemake.params.alpha,
        threshold=snakemake.params.threshold,
    )
