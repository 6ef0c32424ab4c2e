"""Rule render_report: stage the Quarto project with its generated inputs, render it.

The report's sources (report/) never receive generated files: they are copied,
with the variables, tables and figures, into a temporary project that is
rendered to HTML and PDF in results/report/.
"""

import os
import shutil
import tempfile
from pathlib import Path

from triennial.pipeline.step import log, run_step
from triennial.report.render import PandocError, QuartoError, ShortcodeError, render_report


def stage(source: Path, project: Path, variables: str, tables: list[str], figures: list[str]):
    """Copy the report sources and the generated inputs into `project`."""
    shutil.copytree(source, project)
    shutil.copy(variables, project / "_variables.yml")
    for sub, files in (("_generated", tables), ("figures", figures)):
        (project / sub).mkdir(exist_ok=True)
        for f in files:
            shutil.copy(f, project / sub / Path(f).name)


def main(inp, out, source: str, main_file: str, engine: str, epoch: int) -> None:
    """Render the staged project; move the HTML and PDF to their declared paths."""
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "report"
        stage(Path(source), project, inp.variables, inp.tables, inp.figures)
        outputs = render_report(project, main_file, Path(tmp) / "out", engine=engine)
        for fmt in ("html", "pdf"):
            Path(out[fmt]).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(outputs[fmt], out[fmt])
            log.info("wrote %s", out[fmt])


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input,
            snakemake.output,
            snakemake.params.source,
            snakemake.params.main,
            snakemake.params.engine,
            snakemake.params.epoch,
        ),
        snakemake.log[0],
        expected=(ShortcodeError, PandocError, QuartoError),
    )
