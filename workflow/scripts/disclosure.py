"""Rule disclosure: primary and secondary suppression of the extract's published cells."""

from triennial.pipeline.extract_analysis import disclosure
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        disclosure,
        reviews=snakemake.input.reviews,
        codebook=snakemake.input.codebook,
        table=snakemake.output.table,
        threshold=snakemake.params.threshold,
    )
