"""Rule figures: prevalence by characteristic, by age band, and the flow of reviews."""

from triennial.pipeline.figures import national_figures
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        national_figures,
        prevalence=snakemake.input.prevalence,
        out=snakemake.output,
    )
