"""The whole Snakemake pipeline, run for real in scratch copies of the repository.

Read-only checks use the shared run (`pipeline_run`; the rendered report is checked in
test_report_outputs.py); only tests that change a run have a scratch copy of their own.
"""

import hashlib
import re
from pathlib import Path

import pytest
from conftest import ROOT, copy_repo, snakemake
from folders import LOCAL, LOCAL_PROCESSED, NATIONAL, NATIONAL_PROCESSED

from triennial.checks.reference import compare_dirs, format_differences

pytestmark = pytest.mark.pipeline


def digests(repo: Path, folders=(LOCAL, LOCAL_PROCESSED)) -> dict[str, str]:
    """SHA-256 of every file the pipeline wrote into an analysis's folders."""
    files = [p for d in folders for p in (repo / d).rglob("*") if p.is_file()]
    return {str(p.relative_to(repo)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_full_run_writes_tables_and_report(pipeline_run):
    for name in ("prevalence.csv", "published_vs_reproduced.csv", "not_estimated.csv"):
        assert (pipeline_run / NATIONAL / "tables" / name).stat().st_size > 0
    for name in ("triennial-report.html", "triennial-report.pdf"):
        assert (pipeline_run / NATIONAL / "report" / name).stat().st_size > 10_000


def test_corrupt_table_leaves_every_result_byte_identical(corrupted_run):
    """After good national and local runs, a corrupted published table stops the run at
    validation: every file under results/ (both analyses) has the bytes it had before."""
    failed = corrupted_run.run  # Table 1, line 3: numerator '9x'
    assert failed.returncode != 0
    assert "table1_parental.csv, row 3, column 'count': value '9x'" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert f"{NATIONAL}/report/triennial-report.pdf" in corrupted_run.before
    assert f"{LOCAL}/report/local-report.pdf" in corrupted_run.before
    assert corrupted_run.after == corrupted_run.before  # nothing written, moved or removed
    assert f"Nothing under {NATIONAL}/ was written or moved" in failed.stderr
    assert "does not reflect the refused input" in failed.stderr
    validated = corrupted_run.repo / NATIONAL_PROCESSED / "inputs_valid.json"
    assert validated.exists()  # the earlier run's gate: this run never reached it
    assert not (corrupted_run.repo / NATIONAL_PROCESSED / "published/validation.json").exists()


def test_wrong_config_value_names_the_key(tmp_path):
    # In a copy: a refused configuration sets the analysis's earlier report aside, even in a
    # dry run, and the repository's own results/ may hold the researcher's report.
    failed = snakemake(copy_repo(tmp_path / "repo"), "-n", "--config", "report={'engine': 'latex'}")
    assert failed.returncode != 0
    assert "config key 'report.engine': 'latex' is not one of" in failed.stdout + failed.stderr


def test_changing_a_bruising_input_rebuilds_its_figures(pipeline_run, tmp_path):
    """Config inputs are params of the rules that use them: new assumed ends rerun them."""
    change = tmp_path / "change.yaml"
    change.write_text(
        "bruising:\n  implications:\n    plans_per_year:\n"
        "      {low: 300, high: 500, assumed_by: a test, why: a wider range}\n"
    )
    dry = snakemake(pipeline_run, "-n", "--quiet", "host", "--configfile", str(change))
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert re.search(r"^bruising_implications\s+1$", dry.stdout, re.MULTILINE)
    assert "fig_bruising_tornado.svg" in dry.stdout
    assert not re.search(r"^bruising_pool\s+1$", dry.stdout, re.MULTILINE)


def test_a_killed_run_resumes_to_the_bytes_of_a_complete_run(local_run, resumed_run):
    """The local report's last steps run again (its inputs, the rendering, the manifest),
    killed part-way (SIGKILL: no clean-up) and resumed, write every file of the shared
    local run byte for byte, the manifest included.

    So a killed run leaves nothing a rerun takes for complete, and two runs of those jobs
    give the same bytes: each of their outputs in the second run was written by its own
    processes, before the kill or after it.
    """
    assert resumed_run.killed_while_running, "killed too late to test anything"
    # A SIGKILL leaves Snakemake's lock behind (it had no chance to remove it); the README
    # says to clear it with --unlock. Half-written outputs stay marked incomplete.
    assert resumed_run.unlock.returncode == 0, resumed_run.unlock.stderr[-2000:]
    assert resumed_run.rerun.returncode == 0, resumed_run.rerun.stderr[-3000:]
    first, second = digests(local_run), digests(resumed_run.repo)
    assert first.keys() == second.keys()
    assert f"{LOCAL}/report/local-report.pdf" in first
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    manifest = f"{LOCAL}/MANIFEST.sha256"
    assert (resumed_run.repo / manifest).read_bytes() == (local_run / manifest).read_bytes()


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
    diff = compare_dirs(ROOT / "tests" / "expected", pipeline_run / NATIONAL / "tables")
    assert diff.empty, "results differ from tests/expected:\n" + format_differences(diff)
