"""Rule validate_package: check a raw data package (trends, bruising, panel) before any result."""

from triennial.pipeline.step import run_step
from triennial.pipeline.validate import validate_package

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        validate_package,
        kind=snakemake.wildcards.package,
        descriptor=snakemake.input.descriptor,
        series=snakemake.params.series,
        report=snakemake.output.report,
    )
