"""A partnership's extract is suppressed unless switched off explicitly (issue 11).

Dry runs: they stop at the config check (or only plan the jobs) and write nothing but,
on a refused config, the set-aside report of the analysis's folder.
"""

import shutil

import pytest
import yaml
from conftest import LOCAL_CONFIG, ROOT, copy_repo, snakemake
from folders import LOCAL, NATIONAL


def dry_run(tmp_path, *args, repo=None, **changes):
    """A dry run of the worked local example with some config sections changed, in a
    scratch copy unless `repo` is given (a refused config sets the earlier report of
    its analysis aside: never this checkout's)."""
    if repo is None:
        repo = tmp_path / "repo"
        if not repo.exists():
            copy_repo(repo)
    config = yaml.safe_load((ROOT / LOCAL_CONFIG).read_text())
    for section, values in changes.items():
        config[section] = config.get(section, {}) | values
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    run = snakemake(repo, "-n", "--configfile", str(path), *args)
    return run.returncode, run.stdout + run.stderr


def test_a_threshold_below_three_is_refused(tmp_path):
    code, output = dry_run(tmp_path, suppression={"threshold": 1})
    assert code != 0
    assert "config key 'suppression.threshold': 1 is below 3" in output
    assert "suppression.enabled: false" in output


def test_suppression_switched_off_names_the_report_unsuppressed(tmp_path):
    off = {"threshold": 1, "enabled": False}
    code, output = dry_run(tmp_path, "-F", "--quiet", "host", suppression=off)
    assert code == 0, output
    assert "local-report-UNSUPPRESSED.html" in output


def test_config_dates_are_real_dates_in_order(tmp_path):
    code, output = dry_run(tmp_path, analysis={"period_start": "2017-02-30"})
    assert code != 0
    assert "config key 'analysis.period_start': '2017-02-30' is not a real date" in output
    code, output = dry_run(tmp_path, analysis={"period_start": "2017-04-01"})
    assert code != 0
    assert "'analysis.period_end': 2017-03-31 is before analysis.period_start" in output


@pytest.mark.pipeline
def test_a_mistyped_extract_path_after_a_good_run_stops_and_sets_its_report_aside(
    local_run, tmp_path
):
    """The results of good national and local runs, then a mistyped extract path: the
    run stops naming the path, and the local report is set aside with a note saying
    why, so nothing of the earlier run is presented as current; the national analysis's
    folder is left as it was."""
    repo = copy_repo(tmp_path / "repo")
    shutil.copytree(local_run / "results", repo / "results", dirs_exist_ok=True)
    report = repo / LOCAL / "report"
    earlier = {p.name: p.read_bytes() for p in report.iterdir()}
    national = {p: p.read_bytes() for p in (repo / NATIONAL).rglob("*") if p.is_file()}
    code, output = dry_run(
        tmp_path, repo=repo, extracts={"files": [".test/data/partnership_extrct.xlsx"]}
    )
    assert code != 0
    assert "'.test/data/partnership_extrct.xlsx' does not exist" in output
    assert f"The earlier report of {LOCAL}/ is set aside in {LOCAL}/report-STALE/" in output
    assert "local-report.pdf" in earlier and list(report.glob("*.*")) == []
    stale = repo / LOCAL / "report-STALE"
    assert {name: (stale / name).read_bytes() for name in earlier} == earlier
    assert "not the latest" in (stale / "README.md").read_text()
    assert "partnership_extrct.xlsx' does not exist" in (stale / "README.md").read_text()
    assert {p: p.read_bytes() for p in (repo / NATIONAL).rglob("*") if p.is_file()} == national


def test_a_partnership_run_never_writes_into_the_national_folder(tmp_path):
    """analysis.results names the folder; 'national' is refused for a partnership's
    extract, and the national report is not set aside for it."""
    repo = copy_repo(tmp_path / "repo")
    national = repo / NATIONAL / "report" / "triennial-report.html"
    national.parent.mkdir(parents=True)
    national.write_text("the national run's report")
    code, output = dry_run(tmp_path, repo=repo, analysis={"results": "national"})
    assert code != 0
    assert "config key 'analysis.results': 'national' is the folder of the national" in output
    assert national.read_text() == "the national run's report"
    code, output = dry_run(tmp_path, "-F", "--quiet", "host", analysis={"results": "local-north"})
    assert code == 0, output
    assert "results/local-north/report/local-report.html" in output
