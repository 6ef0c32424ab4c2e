"""Software versions and input checksums, for the report's appendix."""

from __future__ import annotations

import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

from triennial.data.checksum import sha256

# The packages whose versions can change a result or the rendered report.
PACKAGES = [
    "triennial",
    "snakemake",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "pyyaml",
    "jsonschema",
    "pypandoc-binary",
    "typst",
]


def software_versions(engine: str) -> pd.DataFrame:
    """Python, the packages above, and the renderer actually used."""
    rows = [("python", platform.python_version())]
    rows += [(name, metadata.version(name)) for name in PACKAGES]
    if engine == "quarto":
        quarto = shutil.which("quarto")
        version = subprocess.run([quarto, "--version"], capture_output=True, text=True, check=True)
        rows.append(("quarto", version.stdout.strip()))
    else:
        import pypandoc

        rows.append(("pandoc", pypandoc.get_pandoc_version()))
    rows.append(("report engine", engine))
    return pd.DataFrame(rows, columns=["software", "version"])


def checksums(paths: list[str | Path]) -> pd.DataFrame:
    """File, size and SHA-256 of each input, in the order given."""
    return pd.DataFrame(
        [(str(p), Path(p).stat().st_size, sha256(p)) for p in paths],
        columns=["file", "bytes", "sha256"],
    )
