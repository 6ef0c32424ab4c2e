"""Rule inputs_valid: every raw input of the run is checked; results may be written."""

from triennial.pipeline.inputs_valid import inputs_valid
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        inputs_valid,
        validations=list(snakemake.input.validations),
        path=snakemake.output.gate,
    )
