"""Nothing stale, nothing mixed (issue 11): each analysis writes its own folders, every
raw input is checked before any result is written.

The runs themselves are checked in test_pipeline.py (a corrupted table leaves results/
byte-identical) and test_safe_defaults.py (a mistyped extract path after a good run);
here: the two complete folders a national then a local run leave, and the job graph.
"""

import hashlib
import re

import pytest
from conftest import LOCAL_CONFIG, copy_repo, snakemake
from folders import LOCAL, LOCAL_PROCESSED, NATIONAL, NATIONAL_PROCESSED

pytestmark = pytest.mark.pipeline


def manifest(path) -> dict[str, str]:
    """A MANIFEST.sha256 as {file: digest}."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


@pytest.mark.parametrize(
    ("folder", "report", "other"),
    [(NATIONAL, "triennial-report", LOCAL), (LOCAL, "local-report", NATIONAL)],
)
def test_a_national_then_a_local_run_leave_two_complete_folders(local_run, folder, report, other):
    """The local run went in the national run's copy after it: each folder holds its own
    report, and exactly the files its manifest lists, with the listed bytes."""
    written = {
        p.relative_to(local_run).as_posix()
        for p in (local_run / folder).rglob("*")
        if p.is_file() and p.name != "MANIFEST.sha256"
    }
    listed = manifest(local_run / folder / "MANIFEST.sha256")
    assert {f"{folder}/report/{report}.html", f"{folder}/report/{report}.pdf"} <= written
    assert {name for name in listed if name.startswith("results/")} == written
    other_name = other.split("/")[1]  # nothing of the other analysis, in any folder
    assert not [name for name in listed if other_name in name.split("/")]
    for name, digest in listed.items():
        assert hashlib.sha256((local_run / name).read_bytes()).hexdigest() == digest, name


def test_the_local_folder_has_no_national_only_table_and_results_nothing_else(local_run):
    national_only = {"prevalence.csv", "trend_models.csv", "bruising_pooled.csv"}
    assert national_only <= {p.name for p in (local_run / NATIONAL / "tables").iterdir()}
    assert national_only.isdisjoint(p.name for p in (local_run / LOCAL / "tables").iterdir())
    assert not (local_run / LOCAL / "report" / "triennial-report.html").exists()
    top = {p.name for p in (local_run / "results").iterdir()}
    assert top == {NATIONAL.split("/")[1], LOCAL.split("/")[1]}  # no results/tables, report, ...
    for processed in (NATIONAL_PROCESSED, LOCAL_PROCESSED):
        assert (local_run / processed / "extract" / "summary.json").exists()


JOB = re.compile(r"^rule (\w+):\n(?:    input: (.*)\n)?    output: (.*)$", re.MULTILINE)


def jobs(repo, *args) -> dict[str, tuple[set[str], set[str]]]:
    """Every job of a run from clean, by rule: (outputs, inputs), from a dry run that
    prints each job's files."""
    done = snakemake(repo, "-n", "--quiet", "host", *args)
    assert done.returncode == 0, done.stderr[-2000:]
    out: dict[str, tuple[set[str], set[str]]] = {}
    for rule, inputs, outputs in JOB.findall(done.stdout):
        before = out.setdefault(rule, (set(), set()))
        before[0].update(outputs.split(", "))
        before[1].update(filter(None, inputs.split(", ")))
    return out


@pytest.mark.parametrize(
    ("args", "results", "processed", "raw"),
    [
        ((), NATIONAL, NATIONAL_PROCESSED, 30),
        (("--configfile", LOCAL_CONFIG), LOCAL, LOCAL_PROCESSED, 10),
    ],
    ids=["national", "local"],
)
def test_every_result_waits_for_the_check_of_every_raw_input(
    tmp_path, args, results, processed, raw
):
    """Every job that writes under results/<analysis>/ takes the gate as an input, and
    every raw file any job reads is read by one of the checks the gate waits for: a bad
    raw input stops the run before anything under results/ is written."""
    graph = jobs(copy_repo(tmp_path / "repo"), *args)
    gate = f"{processed}/inputs_valid.json"
    (written_gate,), checks = graph["inputs_valid"]
    assert written_gate == gate
    for rule, (outputs, inputs) in graph.items():
        assert all(o.startswith((f"{results}/", f"{processed}/")) for o in outputs), rule
        if any(o.startswith("results/") for o in outputs):
            assert gate in inputs, f"{rule} writes results without waiting for the checks"
    checking = {r for r, (outputs, _) in graph.items() if outputs & checks}
    checked = set().union(*(graph[r][1] for r in checking))
    read = {
        f
        for _, inputs in graph.values()
        for f in inputs
        if f.startswith(("data/raw/", ".test/data/"))
    }
    assert len(read) >= raw
    assert read - checked == set()
