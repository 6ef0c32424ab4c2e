"""Rule themes: learning themes, with the national yardstick, and their chapter."""

from triennial.pipeline.step import run_step
from triennial.pipeline.themes import themes

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        themes,
        reviews=snakemake.input.reviews,
        codebook=snakemake.input.codebook,
        plan=snakemake.input.plan,
        panel=snakemake.input.panel,
        trends=snakemake.input.trends,
        out=snakemake.output,
        method=snakemake.params.method,
        alpha=snakemake.params.alpha,
        threshold=snakemake.params.threshold,
        name=snakemake.params.partnership,
    )
