"""Rule extract_analysis: suppression plan, prevalence, subgroups and agreement from the extract."""

from triennial.pipeline.extract_analysis import extract_analysis
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        extract_analysis,
        reviews=snakemake.input.reviews,
        clean=snakemake.input.clean,
        codebook=snakemake.input.codebook,
        out=snakemake.output,
        method=snakemake.params.method,
        alpha=snakemake.params.alpha,
        threshold=snakemake.params.threshold,
    )
