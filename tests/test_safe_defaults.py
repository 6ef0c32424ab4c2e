"""A partnership's extract is suppressed unless switched off explicitly (issue 11).

Dry runs: they stop at the config check (or only plan the jobs) and write nothing.
"""

import yaml
from conftest import LOCAL_CONFIG, ROOT, copy_repo, snakemake


def dry_run(tmp_path, *args, repo=ROOT, **changes):
    """A dry run of the worked local example with some config sections changed."""
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


def test_a_mistyped_extract_path_stops_and_sets_the_earlier_report_aside(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    earlier = repo / "results/report/local-report.html"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("the earlier run's report")
    code, output = dry_run(
        tmp_path, repo=repo, extracts={"files": [".test/data/partnership_extrct.xlsx"]}
    )
    assert code != 0
    assert "'.test/data/partnership_extrct.xlsx' does not exist" in output
    assert not earlier.exists()
    stale = repo / "results/report-STALE"
    assert (stale / "local-report.html").read_text() == "the earlier run's report"
    assert "not the latest" in (stale / "README.md").read_text()
