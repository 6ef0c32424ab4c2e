"""The manifest rule: the last job of a run. It imports no pandas, so it starts fast."""

from __future__ import annotations

from pathlib import Path

from triennial.data.checksum import sha256
from triennial.pipeline.step import log


def manifest(files: list[str], path: str) -> None:
    """Hash every output, sorted by path, so `sha256sum -c` can check a copy."""
    lines = [f"{sha256(f)}  {f}" for f in sorted(files)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    log.info("%d files in %s", len(lines), path)
