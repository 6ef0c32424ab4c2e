"""The software_versions rule: software versions and input checksums."""

from __future__ import annotations

from triennial.pipeline.step import write_csv
from triennial.report.software import checksums, software_versions


def record_software(inputs: list[str], engine: str, versions: str, sums: str) -> None:
    """Write the software table (with the report `engine`) and the input checksum table."""
    write_csv(software_versions(engine), versions)
    write_csv(checksums(sorted(inputs)), sums)
