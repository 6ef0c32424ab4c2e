"""The bruising_rates rule: per-study base rates with intervals, and the procedures audit."""

from __future__ import annotations

from pathlib import Path

from triennial.analysis.bruising_rates import audit_disagreements, audit_rates, base_rates
from triennial.data.studies import read_bruising
from triennial.pipeline.step import write_csv


def bruising_rates(descriptor: str, out, method: str, alpha: float) -> None:
    """Check the study tables, then write per-study rates and the procedures audit."""
    studies, audit = read_bruising(Path(descriptor))
    write_csv(base_rates(studies, method, alpha), out.base_rates)
    write_csv(audit_rates(audit, method, alpha), out.audit)
    write_csv(audit_disagreements(audit), out.disagreements)
