"""Rule agreement: inter-coder agreement on the double-coded reviews."""

from triennial.pipeline.extract_analysis import agreement
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        agreement,
        clean=snakemake.input.clean,
        codebook=snakemake.input.codebook,
        table=snakemake.output.table,
        alpha=snakemake.params.alpha,
        threshold=snakemake.params.threshold,
    )
