"""Rules that record a run: software versions and input checksums; the output manifest."""

from __future__ import annotations

from pathlib import Path

from triennial.pipeline.step import log, write_csv
from triennial.report.software import checksums, sha256, software_versions


def record_software(inputs: list[str], engine: str, versions: str, sums: str) -> None:
    """Write the software table (with the report `engine`) and the input checksum table."""
    write_csv(software_versions(engine), versions)
    write_csv(checksums(sorted(inputs)), sums)


def manifest(files: list[str], path: str) -> None:
    """Hash every output, sorted by path, so `sha256sum -c` can check a copy."""
    lines = [f"{sha256(f)}  {f}" for f in sorted(files)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    log.info("%d files in %s", len(lines), path)
