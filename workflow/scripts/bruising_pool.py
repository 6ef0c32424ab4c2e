"""Rule bruising_pool: random-effects meta-analysis of the pre-mobile base rate."""

from triennial.pipeline.bruising_pool import bruising_pool
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        bruising_pool,
        descriptor=snakemake.input.descriptor,
        out=snakemake.output,
        pooling=dict(snakemake.params.pooling),
        method=snakemake.params.method,
        alpha=snakemake.params.alpha,
        expected=(ValueError,),
    )
