"""The inputs_valid rule: the gate that every rule writing under results/ waits for.

A module of its own, importing neither pandas nor the readers: the job only records
what the validation jobs found, and the start of every run waits for it.
"""

from __future__ import annotations

from triennial.pipeline.step import write_json


def inputs_valid(validations: list[str], path: str) -> None:
    """Record that every raw input of the run passed its checks."""
    write_json({"validated": sorted(validations), "status": "valid"}, path)
