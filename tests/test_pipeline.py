"""The whole Snakemake pipeline, run for real in a scratch copy of the repository."""

import hashlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pypdf
import pytest
from conftest import ROOT, SNAKEMAKE, copy_repo, edit_cell, snakemake

from triennial.checks.reference import compare_dirs, format_differences

pytestmark = pytest.mark.pipeline


def digests(repo: Path) -> dict[str, str]:
    """SHA-256 of every file the pipeline wrote into results/ and data/processed/."""
    files = [p for d in ("results", "data/processed") for p in (repo / d).rglob("*") if p.is_file()]
    return {str(p.relative_to(repo)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_full_run_writes_tables_and_report(pipeline_run):
    for name in ("prevalence.csv", "published_vs_reproduced.csv", "not_estimated.csv"):
        assert (pipeline_run / "results" / "tables" / name).stat().st_size > 0
    for name in ("triennial-report.html", "triennial-report.pdf"):
        assert (pipeline_run / "results" / "report" / name).stat().st_size > 10_000


def test_second_run_has_nothing_to_do(pipeline_run):
    again = snakemake(pipeline_run, "-n")
    assert again.returncode == 0
    assert "Nothing to be done" in again.stdout + again.stderr


def test_clean_rerun_is_byte_identical(pipeline_run, tmp_path):
    other = copy_repo(tmp_path / "repo")
    done = snakemake(other)
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = digests(pipeline_run), digests(other)
    assert first.keys() == second.keys()
    assert "results/report/triennial-report.pdf" in first
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []


def test_report_has_no_unresolved_markers(pipeline_run):
    html = (pipeline_run / "results" / "report" / "triennial-report.html").read_text(
        encoding="utf-8"
    )
    pdf = pypdf.PdfReader(pipeline_run / "results" / "report" / "triennial-report.pdf")
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for output in (html, text):
        for marker in ("{{<", "?var:", "@fig-", "@tbl-", "@sec-", "??"):
            assert marker not in output
    assert "Figure 1" in html and "Table 1" in html
    assert re.search(r"208 of 278 reports \(74\.8%, 69\.4–79\.6\)", html)


def test_corrupt_table_stops_the_run_before_any_result(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    table = repo / "data/raw/published/table1_parental.csv"
    edit_cell(table, "t1_drug_misuse", "numerator", "9x")
    failed = snakemake(repo)
    assert failed.returncode != 0
    assert "table1_parental.csv, row 3, column 'numerator': value '9x'" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not (repo / "results" / "tables" / "prevalence.csv").exists()
    assert not (repo / "data" / "processed" / "published" / "published_figures.csv").exists()


def test_wrong_config_value_names_the_key(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    failed = snakemake(repo, "-n", "--config", "report={'engine': 'latex'}")
    assert failed.returncode != 0
    assert "config key 'report.engine': 'latex' is not one of" in failed.stdout + failed.stderr


def test_lint_is_clean_and_dry_run_lists_the_dag():
    lint = snakemake(ROOT, "--lint")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    dry = snakemake(ROOT, "-n", "--forceall")
    assert dry.returncode == 0
    rules = ["validate_published", "clean_published", "prevalence", "compare_published"]
    rules += ["figures", "software_versions", "report_inputs", "render_report", "all"]
    for rule in rules:
        assert re.search(rf"^{rule}\s+\d+$", dry.stdout, re.MULTILINE), rule


def test_changing_a_bruising_input_rebuilds_its_figures(pipeline_run, tmp_path):
    """Config inputs are params of the rules that use them: a new value reruns them."""
    change = tmp_path / "change.yaml"
    change.write_text(
        "bruising:\n  implications:\n    plans_per_year:\n"
        "      {value: 400, low: 350, high: 470, source: test}\n"
    )
    dry = snakemake(pipeline_run, "-n", "--quiet", "host", "--configfile", str(change))
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert re.search(r"^bruising_implications\s+1$", dry.stdout, re.MULTILINE)
    assert "fig_bruising_tornado.svg" in dry.stdout
    assert not re.search(r"^bruising_pool\s+1$", dry.stdout, re.MULTILINE)


def test_a_killed_run_leaves_nothing_a_rerun_takes_for_complete(pipeline_run, tmp_path):
    """Kill a real run part-way (SIGKILL: no clean-up), rerun: the outputs equal a clean run's."""
    repo = copy_repo(tmp_path / "repo")
    run = subprocess.Popen(
        [SNAKEMAKE], cwd=repo, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (repo / "results/tables/prevalence.csv").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)  # the whole group: Snakemake and its running jobs
    run.wait()
    assert not (repo / "results/MANIFEST.sha256").exists(), "killed too late to test anything"
    # A SIGKILL leaves Snakemake's lock behind (it had no chance to remove it); the README
    # says to clear it with --unlock. Half-written outputs stay marked incomplete.
    assert snakemake(repo, "--unlock").returncode == 0
    rerun = snakemake(repo)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert digests(repo) == digests(pipeline_run)


def test_provenance_report_has_the_captions(pipeline_run, tmp_path):
    out = tmp_path / "provenance.html"
    done = snakemake(pipeline_run, "--report", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    html = out.read_text(encoding="utf-8", errors="replace")
    for caption in ("Inter-coder agreement", "Random-effects meta-analysis", "printed percentage"):
        assert caption in html


def test_results_match_the_committed_reference(pipeline_run):
    """Every results table equals tests/expected: counts and labels exactly, floats to 1e-9.

    To accept a deliberate change: `python tools/update_reference.py`, review the diff.
    """
    diff = compare_dirs(ROOT / "tests" / "expected", pipeline_run / "results" / "tables")
    assert diff.empty, "results differ from tests/expected:\n" + format_differences(diff)


def test_two_clean_runs_write_the_same_manifest(pipeline_run, tmp_path):
    other = copy_repo(tmp_path / "repo")
    assert snakemake(other).returncode == 0
    manifest = "results/MANIFEST.sha256"
    assert (other / manifest).read_bytes() == (pipeline_run / manifest).read_bytes()
