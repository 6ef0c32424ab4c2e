"""Rule bruising_rates: per-study base rates with intervals, and the procedures audit."""

from triennial.pipeline.bruising_rates import bruising_rates
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        bruising_rates,
        descriptor=snakemake.input.descriptor,
        out=snakemake.output,
        method=snakemake.params.method,
        alpha=snakemake.params.alpha,
    )
