"""Render the Quarto report to one self-contained HTML file and one PDF.

Two engines: ``quarto`` (Quarto itself, when installed) and ``pandoc`` (a fallback that emulates
the Quarto features the report uses, with Pandoc, Lua filters and Typst from PyPI). Both work on
a scratch copy of the project, so nothing is written anywhere but ``output_dir``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from triennial.report.render import pandoc, quarto
from triennial.report.render.pandoc import PandocError
from triennial.report.render.quarto import QuartoError
from triennial.report.render.shortcodes import ShortcodeError

__all__ = [
    "ENGINES",
    "PandocError",
    "QuartoError",
    "ShortcodeError",
    "choose_engine",
    "render_report",
]

ENGINES = ("auto", "quarto", "pandoc")


def choose_engine(requested: str) -> str:
    """Map ``auto``/``quarto``/``pandoc`` to the engine that will run (``quarto`` or ``pandoc``)."""
    if requested not in ENGINES:
        raise ValueError(f"unknown render engine {requested!r}; expected one of {ENGINES}")
    on_path = shutil.which("quarto") is not None
    if requested == "auto":
        return "quarto" if on_path else "pandoc"
    if requested == "quarto" and not on_path:
        raise RuntimeError(
            "render engine 'quarto' was requested but quarto is not on PATH; "
            "install it (e.g. conda install -c conda-forge quarto) or use engine 'pandoc'/'auto'"
        )
    return requested


def render_report(
    project_dir: Path, main: str, output_dir: Path, engine: str = "auto"
) -> dict[str, Path]:
    """Render ``project_dir/main`` to ``output_dir/<stem>.html`` and ``<stem>.pdf``.

    Returns ``{"html": path, "pdf": path}``. Both files are written only once both renders have
    succeeded, so a failed run never leaves a half-updated pair behind. Raises ShortcodeError
    (unknown variable, missing include), PandocError (unresolved cross-reference, missing
    citation, Pandoc/Typst failure) or QuartoError.
    """
    engine = choose_engine(engine)
    project_dir = Path(project_dir).resolve()
    if not (project_dir / main).is_file():
        raise FileNotFoundError(f"{project_dir / main} does not exist")
    stem = Path(main).stem

    with tempfile.TemporaryDirectory(prefix="triennial-render-") as tmp:
        work = Path(tmp) / "project"
        # Quarto's caches and earlier outputs are not inputs, and a stale <stem>.html in the
        # copy could pass for a fresh one.
        stale = (".quarto", "_freeze", "*_files", f"{stem}.html", f"{stem}.pdf")
        skip = shutil.ignore_patterns(*stale)
        shutil.copytree(project_dir, work, ignore=skip)
        if engine == "quarto":
            html, pdf = quarto.render(work, main)
        else:
            html, pdf = Path(tmp) / f"{stem}.html", Path(tmp) / f"{stem}.pdf"
            pandoc.render(work, main, html, pdf)

        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        result = {"html": output_dir / f"{stem}.html", "pdf": output_dir / f"{stem}.pdf"}
        shutil.copyfile(html, result["html"])
        shutil.copyfile(pdf, result["pdf"])
    return result
