"""Rule clean_published: apply corrections, fill denominators, write one tidy table."""

from triennial.pipeline.published import clean_published
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        clean_published,
        descriptor=snakemake.input.descriptor,
        clean=snakemake.output.clean,
        cleaning_log=snakemake.output.cleaning_log,
    )
