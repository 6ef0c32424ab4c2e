"""The render_report rule: stage the Quarto project with its generated inputs, render it.

The report's sources (report/) never receive generated files: they are copied, with the
variables, tables and figures, into a temporary project that is rendered to HTML and
PDF in results/<analysis>/report/.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from triennial.pipeline.step import log
from triennial.report.render.document import render_report
from triennial.report.render.pandoc import PandocError
from triennial.report.render.quarto import QuartoError
from triennial.report.render.shortcodes import ShortcodeError, read_yaml

# A broken variable, include, citation or cross-reference is the user's to fix: a message.
RENDER_ERRORS = (ShortcodeError, PandocError, QuartoError)


def stage(source: Path, project: Path, variables: str, tables: list[str], figures: list[str]):
    """Copy the report sources and the generated inputs into `project`; the run's author and
    release date go into ``_metadata.yml`` (document metadata for every engine)."""
    shutil.copytree(source, project)
    shutil.copy(variables, project / "_variables.yml")
    meta = read_yaml(Path(variables).read_text(encoding="utf-8"))["meta"]
    byline = {"author": meta["author"], "date": meta["release_date_long"]}
    (project / "_metadata.yml").write_text(yaml.safe_dump(byline, allow_unicode=True), "utf-8")
    for sub, files in (("_generated", tables), ("figures", figures)):
        (project / sub).mkdir(exist_ok=True)
        for f in files:
            shutil.copy(f, project / sub / Path(f).name)


def render(inp, out, source: str, main_file: str, engine: str, epoch: int) -> None:
    """Render the staged project; move the HTML and PDF to their declared paths."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "report"
        stage(Path(source), project, inp.variables, inp.tables, inp.figures)
        outputs = render_report(project, main_file, Path(tmp) / "out", engine=engine, epoch=epoch)
        for fmt in ("html", "pdf"):
            Path(out[fmt]).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(outputs[fmt], out[fmt])
            log.info("wrote %s", out[fmt])
