"""The ``quarto`` engine: Quarto itself renders the project (HTML, and PDF through Typst).

Quarto writes next to its input (outputs, ``.quarto/``, ``*_files/``), so it runs on the scratch
copy of the project made by ``render_report``; we only pick up the two finished files.

As strict as the fallback: Quarto reports an unknown variable or an unresolved
cross-reference as a WARNING and still exits 0, so any warning it prints fails the render.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).parent  # layout.typ (shared with the pandoc fallback) and quarto.css

# Quarto colours its log lines; the ANSI codes hide the "WARN" at the start of a line.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_WARNING = re.compile(r"^\s*WARN(?:ING)?\b.*$", re.MULTILINE)
# Not about the document: Quarto built without its optional Rust helper typst-gather stages
# all its bundled Typst packages instead of the ones used (a source build lacks the helper).
HARMLESS = ("typst-gather",)


class QuartoError(RuntimeError):
    """``quarto render`` failed or warned; the message carries its output."""


def warnings_in(log: str) -> list[str]:
    """Quarto's WARNING/WARN lines in ``log``, except the `HARMLESS` ones."""
    lines = _WARNING.findall(_ANSI.sub("", log))
    return [line.strip() for line in lines if not any(h in line for h in HARMLESS)]


def render(work: Path, main: str, epoch: int) -> tuple[Path, Path]:
    """Render ``work/main`` to HTML and to PDF (Quarto's ``typst`` format); return both paths.

    ``epoch`` is the PDF's creation date (seconds since 1970, UTC).
    """
    quarto = shutil.which("quarto")
    if quarto is None:
        raise QuartoError("quarto is not on PATH")
    # Typst (inside Quarto) reads SOURCE_DATE_EPOCH for the PDF's date: same bytes on rerun.
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    # The PDF's page layout as the fallback's (layout.typ); the HTML's phone rules (quarto.css).
    layout, css = ".triennial-layout.typ", ".triennial.css"
    shutil.copyfile(HERE / "layout.typ", work / layout)
    shutil.copyfile(HERE / "quarto.css", work / css)
    outputs = []
    # embed-resources is forced so the HTML is one self-contained file whatever _quarto.yml says.
    for to, extra, suffix in (
        ("html", ["-M", "embed-resources:true", "-M", f"css:{css}"], ".html"),
        ("typst", ["-M", f"include-in-header:{layout}"], ".pdf"),
    ):
        cmd = [quarto, "render", main, "--to", to, *extra]
        proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, check=False)
        output = (work / main).with_suffix(suffix)  # Quarto writes next to the input
        warned = warnings_in(proc.stdout + "\n" + proc.stderr)
        if proc.returncode != 0 or not output.exists() or warned:
            what = "warned" if proc.returncode == 0 and output.exists() else "failed"
            details = "\n".join(warned) if warned else f"{proc.stdout}\n{proc.stderr}"
            raise QuartoError(f"{' '.join(cmd)} {what} ({proc.returncode}):\n{details}")
        outputs.append(output)
    return outputs[0], outputs[1]
