"""Rule bruising_period: the chance of at least one bruise over k weekly observations."""

from triennial.pipeline.bruising_implications import bruising_period
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        bruising_period,
        descriptor=snakemake.input.descriptor,
        config=dict(snakemake.params.bruising),
        table=snakemake.output.table,
        figure=snakemake.output.figure,
    )
