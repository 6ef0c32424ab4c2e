"""Rule bruising_rates: per-study base rates with intervals, and the procedures audit."""

from pathlib import Path

from triennial.data.studies import audit_disagreements, audit_rates, base_rates, read_bruising
from triennial.pipeline.step import run_step, write_csv


def main(descriptor: str, out, method: str, alpha: float) -> None:
    """Check the study tables, then write rates (Wilson and Clopper-Pearson) and the audit."""
    studies, audit = read_bruising(Path(descriptor))
    write_csv(base_rates(studies, alpha), out.base_rates)
    write_csv(audit_rates(audit, method, alpha), out.audit)
    write_csv(audit_disagreements(audit), out.disagreements)


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input.descriptor,
            snakemake.output,
            snakemake.params.method,
            snakemake.params.alpha,
        ),
        snakemake.log[0],
    )
