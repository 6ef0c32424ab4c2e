"""Rule clean_extract: map coded extracts onto the codebook; log, quarantine, count."""

from triennial.pipeline.extract import clean_extract
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        clean_extract,
        files=list(snakemake.input.files),
        codebook=snakemake.input.codebook,
        start=snakemake.params.start,
        end=snakemake.params.end,
        out=snakemake.output,
        demonstration=snakemake.params.demonstration,
        sheet=snakemake.params.sheet,
    )
