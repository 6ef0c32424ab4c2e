"""Rule bruising_implications: what a base rate implies, under explicit assumptions, and the
chance of at least one bruise over k weekly observations."""

from triennial.pipeline.bruising_implications import implications_and_period
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        implications_and_period,
        pooled_path=snakemake.input.pooled,
        rates_path=snakemake.input.rates,
        descriptor=snakemake.input.descriptor,
        out=snakemake.output,
        config=dict(snakemake.params.bruising),
    )
