"""Rule bruising_implications: what a base rate implies, under explicit assumptions."""

from triennial.pipeline.bruising_implications import bruising_implications
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        bruising_implications,
        pooled_path=snakemake.input.pooled,
        rates_path=snakemake.input.rates,
        descriptor=snakemake.input.descriptor,
        out=snakemake.output,
        config=dict(snakemake.params.bruising),
    )
