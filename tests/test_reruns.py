"""Precise reruns: after a full run, an edit reruns only the jobs that use what changed."""

import re
from pathlib import Path

import pytest
from conftest import snakemake

pytestmark = pytest.mark.pipeline


def jobs_after_editing(repo: Path, relative: str, with_output=False):
    """The jobs `snakemake -n` lists after appending a comment line to one file (and the
    dry run itself, if asked)."""
    path = repo / relative
    original = path.read_bytes()
    comment = "\n<!-- edited -->\n" if path.suffix == ".qmd" else "\n# edited\n"
    try:
        path.write_bytes(original + comment.encode())
        dry = snakemake(repo, "-n")
    finally:
        path.write_bytes(original)  # same content: Snakemake's checksums see no change
    assert dry.returncode == 0, dry.stderr[-2000:]
    stats = dry.stdout.split("Job stats:")[-1].split("Reasons:")[0]
    jobs = set(re.findall(r"^(\w+)\s+\d+$", stats, re.M)) - {"total", "all"}
    return (jobs, dry) if with_output else jobs


def test_editing_a_sentence_of_the_report_reruns_only_the_rendering(pipeline_run):
    jobs = jobs_after_editing(pipeline_run, "report/triennial-report.qmd")
    assert jobs == {"render_report", "manifest"}


def test_editing_the_meta_analysis_reruns_only_the_bruising_jobs_and_the_report(pipeline_run):
    jobs = jobs_after_editing(pipeline_run, "src/triennial/stats/meta.py")
    assert {"bruising_pool", "report_inputs", "render_report"} <= jobs
    assert jobs - {"report_inputs", "render_report", "manifest"} == {
        j for j in jobs if j.startswith("bruising_")
    }


def test_nothing_changed_nothing_reruns(pipeline_run):
    """After a full run, editing a file no job reads leaves nothing to do."""
    jobs, dry = jobs_after_editing(pipeline_run, "README.md", with_output=True)
    assert jobs == set()
    assert "Nothing to be done" in dry.stdout + dry.stderr
