"""Rule render_report: stage the Quarto project with its generated inputs, render it."""

from triennial.pipeline.render import RENDER_ERRORS, render
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        render,
        inp=snakemake.input,
        out=snakemake.output,
        source=snakemake.params.source,
        main_file=snakemake.params.main,
        engine=snakemake.params.engine,
        epoch=snakemake.params.epoch,
        expected=RENDER_ERRORS,
    )
