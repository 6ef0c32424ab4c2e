"""Rule trends: models per series, joinpoints, contrasts, forecasts, and the figure."""

from triennial.pipeline.step import run_step
from triennial.pipeline.trends import trends

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        trends,
        descriptor=snakemake.input.descriptor,
        out=snakemake.output,
        settings=dict(snakemake.params.settings),
        alpha=snakemake.params.alpha,
        expected=(ValueError,),
    )
