"""A partnership's extract is suppressed unless switched off explicitly (issue 11).

The config checks run in-process (`triennial.pipeline.config.problems`, what the
Snakefile calls on every start); dry runs check what Snakemake makes of them: they stop
at the config check (or only plan the jobs) and write nothing but, on a refused config,
the set-aside report of the analysis's folder.
"""

import shutil

import pytest
import yaml
from conftest import LOCAL_CONFIG, ROOT, copy_repo, snakemake
from folders import LOCAL, NATIONAL

from triennial.pipeline.config import analysis_folder, problems, with_defaults

SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())


def changed(config: dict, changes: dict) -> dict:
    """`config` with some of its sections updated (Snakemake merges config files so)."""
    return config | {
        section: config.get(section, {}) | values for section, values in changes.items()
    }


def local_config(**changes) -> dict:
    """The worked local example's config with some sections changed, defaults filled in
    as the Snakefile fills them (config/config.yaml first, then the local one on top)."""
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    local = changed(yaml.safe_load((ROOT / LOCAL_CONFIG).read_text()), changes)
    return with_defaults(changed(config, local), SCHEMA)


@pytest.fixture
def at_root(monkeypatch):
    """Extract paths in the config are relative to the repository."""
    monkeypatch.chdir(ROOT)


def dry_run(tmp_path, *args, repo=None, **changes):
    """A dry run of the worked local example with some config sections changed, in a
    scratch copy unless `repo` is given (a refused config sets the earlier report of
    its analysis aside: never this checkout's)."""
    if repo is None:
        repo = tmp_path / "repo"
        if not repo.exists():
            copy_repo(repo)
    config = changed(yaml.safe_load((ROOT / LOCAL_CONFIG).read_text()), changes)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    run = snakemake(repo, "-n", "--configfile", str(path), *args)
    return run.returncode, run.stdout + run.stderr


def test_the_worked_example_passes_the_checks(at_root):
    assert problems(local_config(), SCHEMA) == []


def test_a_threshold_below_three_is_refused(at_root):
    [message] = problems(local_config(suppression={"threshold": 1}), SCHEMA)
    assert "config key 'suppression.threshold': 1 is below 3" in message
    assert "suppression.enabled: false" in message
    off = local_config(suppression={"threshold": 1, "enabled": False})
    assert problems(off, SCHEMA) == []


def test_config_dates_are_real_dates_in_order(at_root):
    [message] = problems(local_config(analysis={"period_start": "2017-02-30"}), SCHEMA)
    assert "config key 'analysis.period_start': '2017-02-30' is not a real date" in message
    [message] = problems(local_config(analysis={"period_start": "2017-04-01"}), SCHEMA)
    assert "'analysis.period_end': 2017-03-31 is before analysis.period_start" in message


def test_a_partnership_never_names_the_national_folder(at_root):
    """analysis.results names the folder; 'national' is refused for a partnership's
    extract."""
    [message] = problems(local_config(analysis={"results": "national"}), SCHEMA)
    assert "config key 'analysis.results': 'national' is the folder of the national" in message
    assert analysis_folder(local_config(analysis={"results": "local-north"})) == "local-north"


def test_a_refused_folder_leaves_the_national_report_and_unsuppressed_says_so(tmp_path):
    """What Snakemake does with these checks: a local config naming the national folder
    stops without setting the national report aside; an unsuppressed local report says
    so in its file name, in the folder analysis.results names."""
    repo = copy_repo(tmp_path / "repo")
    national = repo / NATIONAL / "report" / "triennial-report.html"
    national.parent.mkdir(parents=True)
    national.write_text("the national run's report")
    code, output = dry_run(tmp_path, repo=repo, analysis={"results": "national"})
    assert code != 0
    assert "config key 'analysis.results': 'national' is the folder of the national" in output
    assert national.read_text() == "the national run's report"
    off = {"threshold": 1, "enabled": False}
    code, output = dry_run(
        tmp_path, "-F", "--quiet", "host", repo=repo, suppression=off,
        analysis={"results": "local-north"},
    )  # fmt: skip
    assert code == 0, output
    assert "results/local-north/report/local-report-UNSUPPRESSED.html" in output


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
