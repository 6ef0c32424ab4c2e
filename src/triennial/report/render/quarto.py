"""The ``quarto`` engine: Quarto itself renders the project (HTML, and PDF through Typst).

Quarto writes next to its input (outputs, ``.quarto/``, ``*_files/``), so it runs on the scratch
copy of the project made by ``render_report``; we only pick up the two finished files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


class QuartoError(RuntimeError):
    """``quarto render`` failed; the message carries its output."""


def render(work: Path, main: str, epoch: int) -> tuple[Path, Path]:
    """Render ``work/main`` to HTML and to PDF (Quarto's ``typst`` format); return both paths.

    ``epoch`` is the PDF's creation date (seconds since 1970, UTC).
    """
    quarto = shutil.which("quarto")
    if quarto is None:
        raise QuartoError("quarto is not on PATH")
    # Typst (inside Quarto) reads SOURCE_DATE_EPOCH for the PDF's date: same bytes on rerun.
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    outputs = []
    # embed-resources is forced so the HTML is one self-contained file whatever _quarto.yml says.
    for to, extra, suffix in (
        ("html", ["-M", "embed-resources:true"], ".html"),
        ("typst", [], ".pdf"),
    ):
        cmd = [quarto, "render", main, "--to", to, *extra]
        proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, check=False)
        output = (work / main).with_suffix(suffix)  # Quarto writes next to the input
        if proc.returncode != 0 or not output.exists():
            raise QuartoError(
                f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        outputs.append(output)
    return outputs[0], outputs[1]
