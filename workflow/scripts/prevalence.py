"""Rule prevalence: an estimate and confidence interval for every published proportion."""

from triennial.pipeline.prevalence import prevalence
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        prevalence,
        clean=snakemake.input.clean,
        table=snakemake.output.table,
        not_estimated=snakemake.output.not_estimated,
        method=snakemake.params.method,
        alpha=snakemake.params.alpha,
        fpc=dict(snakemake.params.fpc),
    )
