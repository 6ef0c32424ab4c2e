"""Rule validate_published: check every published table before anything reads it."""

from triennial.pipeline.published import validate_published
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        validate_published,
        descriptor=snakemake.input.descriptor,
        report=snakemake.output.report,
    )
