"""Render the Quarto project to one self-contained HTML file and one PDF.

Two engines: ``quarto`` (Quarto itself, when installed) and ``pandoc`` (a fallback that emulates
the Quarto features the report uses, with Pandoc, Lua filters and Typst from PyPI). Both work on
a scratch copy of the project, so nothing is written anywhere but ``output_dir``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from triennial.report.render import pandoc, quarto


def _skip(project_dir: Path, main: str, stale: tuple[str, ...]):
    """copytree's ignore: caches, old outputs, and every other document of the project.

    Quarto reads every ``.qmd`` of a project when it renders one of them, so another
    report's includes (the national report's tables in a local run) would fail the render;
    partials (``_*.qmd``) stay, since documents include them.
    """
    patterns = shutil.ignore_patterns(*stale)

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set(patterns(directory, names))
        if Path(directory).resolve() == project_dir:
            others = {n for n in names if n.endswith(".qmd") and not n.startswith("_")}
            skipped |= others - {main}
        return skipped

    return ignore


def render_report(
    project_dir: Path, main: str, output_dir: Path, *, engine: str, epoch: int
) -> dict[str, Path]:
    """Render ``project_dir/main`` to ``output_dir/<stem>.html`` and ``<stem>.pdf``.

    ``engine`` is ``quarto`` or ``pandoc`` (see `engine.choose_engine`); ``epoch`` (seconds
    since 1970, UTC) is the PDF's creation date, so reruns give the same bytes.

    Returns ``{"html": path, "pdf": path}``. Both files are written only once both renders have
    succeeded, so a failed run never leaves a half-updated pair behind. Raises ShortcodeError
    (unknown variable, missing include), PandocError (unresolved cross-reference, missing
    citation, Pandoc/Typst failure) or QuartoError.
    """
    if engine not in ("quarto", "pandoc"):
        raise ValueError(f"engine must be 'quarto' or 'pandoc', not {engine!r}")
    project_dir = Path(project_dir).resolve()
    if not (project_dir / main).is_file():
        raise FileNotFoundError(f"{project_dir / main} does not exist")
    stem = Path(main).stem

    with tempfile.TemporaryDirectory(prefix="triennial-render-") as tmp:
        work = Path(tmp) / "project"
        # Quarto's caches and earlier outputs are not inputs, and a stale <stem>.html in the
        # copy could pass for a fresh one.
        stale = (".quarto", "_freeze", "*_files", f"{stem}.html", f"{stem}.pdf")
        shutil.copytree(project_dir, work, ignore=_skip(project_dir, main, stale))
        if engine == "quarto":
            html, pdf = quarto.render(work, main, epoch)
        else:
            html, pdf = Path(tmp) / f"{stem}.html", Path(tmp) / f"{stem}.pdf"
            pandoc.render(work, main, html, pdf, epoch)

        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        result = {"html": output_dir / f"{stem}.html", "pdf": output_dir / f"{stem}.pdf"}
        shutil.copyfile(html, result["html"])
        shutil.copyfile(pdf, result["pdf"])
    return result
