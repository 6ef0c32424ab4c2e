"""Rule report_inputs: _variables.yml and the Markdown tables the report includes."""

from triennial.pipeline.report import report_inputs
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        report_inputs,
        inp=snakemake.input,
        out=snakemake.output,
        national=snakemake.params.national,
        meta=dict(snakemake.params.meta),
        threshold=snakemake.params.threshold,
        method=snakemake.params.method,
        bruising=dict(snakemake.params.bruising),
    )
