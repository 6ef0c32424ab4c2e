"""Rule then_and_now: the national panel's 2023-24 figures and the 2009–11 early help
figures with intervals, and the differences between periods."""

from triennial.pipeline.step import run_step
from triennial.pipeline.then_and_now import panel

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        panel,
        inp=snakemake.input,
        out=snakemake.output,
        method=snakemake.params.method,
        alpha=snakemake.params.alpha,
    )
