"""Shared fixtures: paths of the repository, scratch copies of data, and pipeline runs.

Pipeline runs are the suite's main cost. Tests that only read a run's outputs share one
(`pipeline_run`); a test that must change a run gets its own scratch copy. The runs the
collected tests need all start in the background when the session starts, at low
priority: the unit tests go on meanwhile (pipeline tests are moved to the end of the
session for this), and the runs take the rest of the machine. The disclosure attacks on
generated extracts go on beside them, at the lowest priority (`generated_attacks`); when
the whole suite runs, they start before collection (`pytest_configure`).
"""

import contextlib
import csv
import functools
import gc
import hashlib
import json
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from collector import collect_less
from folders import LOCAL, NATIONAL
from priority import set_session_priority
from reader import CHROMIUM, phone_layout

# One BLAS thread in every process of the session, set before anything imports numpy: the
# suite keeps both cores busy with several processes (the tests, the pipeline's jobs, the
# attacks), and OpenBLAS's extra thread, spinning while it waits for a core, costs more CPU
# than it saves (the attacks beside another process: 35 CPU-s with two threads, 28 with
# one). Snakemake sets the same for each job.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
collect_less()

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "raw" / "published"
DESCRIPTOR = PUBLISHED / "datapackage.json"


def copy_package(folder: Path, tmp_path: Path) -> Path:
    """A writable copy of a data package folder; returns its descriptor."""
    shutil.copytree(folder, tmp_path / folder.name)
    return tmp_path / folder.name / "datapackage.json"


@pytest.fixture
def package(tmp_path) -> Path:
    """A writable copy of the published data package; returns its descriptor."""
    return copy_package(PUBLISHED, tmp_path)


def edit_cell(path: Path, row_id: str, column: str, value: str, key: str = "row_id") -> int:
    """Set one cell of a CSV; return the line number of the row changed."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for i, row in enumerate(rows):
        if row[key] == row_id:
            row[column] = value
            line = i + 2
            break
    else:
        raise KeyError(row_id)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


# --- pipeline runs --------------------------------------------------------------------------

GENERATED = ("results", "data/processed", "logs", ".snakemake", ".venv", ".git")
LOCAL_CONFIG = ".test/config/config.yaml"  # a partnership's extract: the local report
RUNNING: set = set()  # processes started and not finished yet (Snakemake, the attacks)
STOPPED = threading.Event()  # the session is over: start no more
STARTING = threading.Lock()  # held while a process starts, or while all are stopped


def copy_repo(dest: Path) -> Path:
    """The repository's sources without anything generated."""
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache")

    def ignore(folder, names):
        rel = Path(folder).relative_to(ROOT)
        generated = {n for n in names if (rel / n).as_posix() in GENERATED}
        return generated | skip(folder, names)

    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


# Priorities of the background work (niceness): first the chain national -> local ->
# corrupted run (most pipeline tests wait for it), then the resumed run, then the attacks.
CHAIN, SIDE, LAST = 10, 15, 19


# Each Snakemake is a fork of a server that has imported Snakemake and pandas and found
# Snakemake's plugins once (tests/snakemake_preload.py): a start from scratch costs about
# 2.5 CPU-s more here, and the suite starts about twenty. The server imports the main
# module (pytest's) too, or each fork would import it again.
@functools.cache
def forks() -> multiprocessing.context.BaseContext:
    """The fork server's context, started on first use (POSIX only, like the pipeline tests:
    a session of unit tests needs none)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "snakemake_preload"])
    # Python 3.11's server ignores this process's sys.path: it finds tests/ on PYTHONPATH,
    # set while it starts (no other process starts meanwhile: STARTING).
    kept = os.environ.get("PYTHONPATH")
    with STARTING:
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tests"), kept]))
        try:
            multiprocessing.forkserver.ensure_running()
        finally:
            if kept is None:
                del os.environ["PYTHONPATH"]
            else:
                os.environ["PYTHONPATH"] = kept
    return context


@dataclass(eq=False)  # each one a member of RUNNING, by identity
class Snakemake:
    """A Snakemake started (`start_snakemake`): its process, and the files its output goes to."""

    process: multiprocessing.process.BaseProcess
    stdout: Path
    stderr: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        """Its exit code, or None while it runs."""
        return None if self.process.is_alive() else self.process.exitcode

    def wait(self) -> subprocess.CompletedProcess:
        """Wait for it to end; its exit code and output."""
        self.process.join()
        RUNNING.discard(self)
        out = [
            path.read_text(encoding="utf-8", errors="replace")
            for path in (self.stdout, self.stderr)
        ]
        for path in (self.stdout, self.stderr):
            path.unlink()
        return subprocess.CompletedProcess(["snakemake"], self.process.exitcode, *out)


def output_file(suffix: str) -> Path:
    """A new empty file in the system's temporary folder."""
    fd, path = tempfile.mkstemp(prefix="snakemake-", suffix=suffix)
    os.close(fd)
    return Path(path)


def start_snakemake(repo: Path, *args: str, nice: int = 0) -> Snakemake:
    """Snakemake started in `repo`, in a session of its own (so it can be killed with its
    jobs); in the background at the priority `nice`."""
    import warm_snakemake  # here, not at the top: only sessions with pipeline tests need it

    stdout, stderr = (output_file(suffix) for suffix in (".out", ".err"))
    process = forks().Process(target=warm_snakemake.main, args=(repo, args, nice, stdout, stderr))
    with STARTING:
        if STOPPED.is_set():
            raise RuntimeError("the test session has stopped")
        process.start()
        run = Snakemake(process, stdout, stderr)
        RUNNING.add(run)
    return run


def start_process(command: list, cwd: Path, nice: int = 0, **popen) -> subprocess.Popen:
    """A process started in a session of its own (killed with its children if the test
    session stops), at the priority `nice`."""
    if nice:
        command = ["nice", "-n", str(nice), *command]
    with STARTING:
        if STOPPED.is_set():
            raise RuntimeError("the test session has stopped")
        run = subprocess.Popen(command, cwd=cwd, start_new_session=True, **popen)
        RUNNING.add(run)
    if nice:
        set_session_priority(run.pid, nice)
    return run


def stop_processes() -> None:
    """Kill every process still running (Snakemake with its jobs), and start no more."""
    with STARTING:
        STOPPED.set()
        for run in list(RUNNING):
            if run.poll() is None:
                with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                    os.killpg(run.pid, signal.SIGKILL)
                with contextlib.suppress(ProcessLookupError):  # a fork not yet in its session
                    os.kill(run.pid, signal.SIGKILL)


def snakemake(repo: Path, *args: str, nice: int = 0) -> subprocess.CompletedProcess:
    """Run Snakemake in `repo`, capturing its output."""
    return start_snakemake(repo, *args, nice=nice).wait()


def clean_run(repo: Path, *args: str) -> Path:
    """A complete run from clean in a scratch copy of the repository."""
    done = snakemake(copy_repo(repo), *args, nice=CHAIN)
    assert done.returncode == 0, done.stderr[-3000:]
    return repo


# --- issue 11: nothing stale, nothing mixed. Two runs follow a good run instead of
# starting from clean: the local run in the national run's scratch copy (two analyses
# side by side), and the corrupted run in a copy of both (results/ must stay as it was).


def hashes(repo: Path) -> dict[str, str]:
    """SHA-256 of every file under results/, by path."""
    files = sorted(p for p in (repo / "results").rglob("*") if p.is_file())
    return {
        p.relative_to(repo).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
    }


def local_after_national(_unused: Path, start) -> Path:
    """The local example run in the national run's scratch copy, after it."""
    national = start("pipeline_run").result()
    done = snakemake(national, "--configfile", LOCAL_CONFIG, nice=CHAIN)
    assert done.returncode == 0, done.stderr[-3000:]
    return national


@dataclass(frozen=True)
class CorruptedRun:
    """A national run after good national and local runs, on a Table 1 whose count is
    no number (line 3): results/ before, what Snakemake printed, results/ after."""

    repo: Path
    before: dict[str, str]
    run: subprocess.CompletedProcess
    after: dict[str, str]


def run_on_a_corrupted_table(repo: Path, start) -> CorruptedRun:
    """Copy the folder of the good runs (outputs, .snakemake and times kept), corrupt
    Table 1, run again."""
    shutil.copytree(start("local_run").result(), repo, symlinks=True)
    edit_cell(repo / "data/raw/published/table1_parental.csv", "t1_drug_misuse", "count", "9x")
    before = hashes(repo)
    run = snakemake(repo, nice=CHAIN)
    return CorruptedRun(repo, before, run, hashes(repo))


@dataclass(frozen=True)
class ResumedRun:
    """A run killed part-way, then unlocked and run again: what each step gave."""

    repo: Path
    killed_while_running: bool  # Snakemake had not finished when it was killed
    unlock: subprocess.CompletedProcess
    rerun: subprocess.CompletedProcess


def written_since(path: Path, moment: float) -> bool:
    """Whether `path` was written after `moment` (False if it is gone: Snakemake deletes a
    job's outputs before it runs the job)."""
    try:
        return path.stat().st_mtime > moment
    except FileNotFoundError:
        return False


def killed_and_resumed(repo: Path, start) -> ResumedRun:
    """Copy the folder of the good runs, run the local report's last steps again
    (`--forcerun report_inputs`: the report's inputs, the rendering and the manifest), and
    kill that run once a report input is written again (SIGKILL: no clean-up), part-way
    through writing them or as the rendering starts. Then do what the README says:
    `snakemake --unlock`, and run again.

    From the report's inputs, not from clean (a whole second local run costs about 25 CPU-s
    more): the steps before them check, clean and analyse the data, whose determinism the
    national run's tables check against tests/expected."""
    shutil.copytree(start("local_run").result(), repo, symlinks=True)
    began = time.time()
    forced = ("--configfile", LOCAL_CONFIG, "--forcerun", "report_inputs")
    run = start_snakemake(repo, *forced, nice=SIDE)
    deadline = time.monotonic() + 600  # the other runs share the machine meanwhile
    inputs = repo / LOCAL / "report_inputs"
    while run.poll() is None and time.monotonic() < deadline:
        if any(written_since(p, began) for p in inputs.glob("*")):
            break  # a report input is written again
        time.sleep(0.02)
    killed = run.poll() is None
    if killed:
        os.killpg(run.pid, signal.SIGKILL)  # the whole group: Snakemake and its running jobs
    run.wait()
    unlock = snakemake(repo, "--unlock", "--configfile", LOCAL_CONFIG, nice=SIDE)
    rerun = snakemake(repo, "--configfile", LOCAL_CONFIG, nice=SIDE)
    return ResumedRun(repo, killed, unlock, rerun)


def attacks_in_background(folder: Path) -> dict:
    """What the attacker finds on generated extracts (tests/generated_attacks.py), in a Python
    of its own at the lowest priority: it uses what the pipeline runs leave of the machine."""
    folder.mkdir(parents=True)
    script = ROOT / "tests" / "generated_attacks.py"
    command = [sys.executable, script, folder / "findings.json"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    run = start_process(command, folder, LAST, **pipes)
    _, stderr = run.communicate()
    RUNNING.discard(run)
    assert run.returncode == 0, stderr[-3000:]
    return json.loads((folder / "findings.json").read_text(encoding="utf-8"))


def lay_out_on_a_phone(folder: Path, start) -> dict[str, dict] | None:
    """Both reports laid out at a phone's width (`reader.phone_layout`), each once its run is
    done, while the tests go on: Chromium spends seconds starting and laying a report out,
    which the tests at the end of the session would otherwise wait for. None without
    Chromium."""
    if CHROMIUM is None:
        return None
    folder.mkdir(parents=True)
    pages = {
        "national": ("pipeline_run", f"{NATIONAL}/report/triennial-report.html"),
        "local": ("local_run", f"{LOCAL}/report/local-report.html"),
    }
    layouts = {}
    for name, (run, page) in pages.items():
        # A copy: the probe is written beside the page, which must not be in the run's folder.
        copy = shutil.copy(start(run).result() / page, folder / f"{name}.html")
        layouts[name] = phone_layout(Path(copy))
    return layouts


# Every run a test may ask for, by fixture name, in the order they finish (see
# pytest_collection_modifyitems); each is given a scratch folder for its copy of the repo.
# A run given `start` as well waits for the runs it follows (listed after it: its tests
# come first and wait, so no test touches a folder while a later run uses it). The phone
# layouts only read the runs' reports, and come last: their tests find them done.
RUNS = {
    "corrupted_run": run_on_a_corrupted_table,
    "resumed_run": killed_and_resumed,
    "local_run": local_after_national,
    "pipeline_run": clean_run,
    "generated_attacks": attacks_in_background,
    "phone_layouts": lay_out_on_a_phone,
}
FOLLOWS = {"corrupted_run", "resumed_run", "local_run", "phone_layouts"}


EARLY: dict[str, Future] = {}  # runs started before collection (pytest_configure)


def whole_suite(config: pytest.Config) -> bool:
    """pytest with no path, -k, -m, deselection or rerun of the failed tests: every test runs,
    so every run is needed."""
    option = config.option
    chosen = (option.keyword, option.markexpr, option.deselect)
    reruns = (getattr(option, name, False) for name in ("lf", "stepwise"))  # cacheprovider's
    arguments = config.args_source is pytest.Config.ArgsSource.TESTPATHS
    return arguments and not any(chosen) and not any(reruns)


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """For the whole suite, start the attacks on generated extracts before collection: they
    take the core collection leaves idle (about 8 s) and no longer finish last."""
    if whole_suite(config):
        folder = Path(tempfile.mkdtemp(prefix="generated-attacks-"))
        config.add_cleanup(functools.partial(shutil.rmtree, folder, ignore_errors=True))
        config.add_cleanup(stop_processes)  # also when collection fails
        early = ThreadPoolExecutor(max_workers=1)
        EARLY["generated_attacks"] = early.submit(attacks_in_background, folder / "attacks")
        early.shutdown(wait=False)  # its one task goes on


def pytest_collection_finish(session):
    """Collection has imported every module the tests use (pandas, scipy, statsmodels,
    scikit-learn, hypothesis...): millions of objects that live as long as the session.
    Freezing them keeps Python's full garbage collections from scanning them again: a few
    seconds in all, much of it in calls that collect explicitly (statsmodels' Holm
    adjustment does, on every call)."""
    gc.freeze()


def pytest_collection_modifyitems(items):
    """Unit tests first, then pipeline tests by the run they wait for, files kept in
    order (a stable sort): the runs go on in the background while the unit tests run."""

    def order(item) -> tuple[bool, int]:
        runs = [i for i, name in enumerate(RUNS, start=1) if name in item.fixturenames]
        return item.get_closest_marker("pipeline") is not None, max(runs, default=0)

    items.sort(key=order)


@pytest.fixture(scope="session", autouse=True)
def background_runs(request, tmp_path_factory):
    """Start every run a collected test needs (none for `-m "not pipeline"`), all at once;
    the fixtures below wait for theirs. Runs still going when the session stops early are
    killed."""
    pool = ThreadPoolExecutor(max_workers=len(RUNS))
    futures: dict[str, Future] = {}
    starting = threading.Lock()  # runs that follow others start them from their threads

    def start(name: str) -> Future:
        with starting:
            if name in EARLY:
                futures.setdefault(name, EARLY[name])
            if name not in futures:
                args = (start,) if name in FOLLOWS else ()
                folder = tmp_path_factory.mktemp(name) / "repo"
                futures[name] = pool.submit(RUNS[name], folder, *args)
            return futures[name]

    for name in RUNS:
        if any(name in item.fixturenames for item in request.session.items):
            start(name)
    yield start
    stop_processes()
    pool.shutdown(wait=True)


@pytest.fixture(scope="session", autouse=True)
def checkout_untouched():
    """Tests work in scratch copies: this checkout's own results/ (a researcher's report,
    perhaps) is the same after the session as before it."""
    before = hashes(ROOT)
    yield
    assert hashes(ROOT) == before, "a test changed this checkout's results/"


@pytest.fixture(scope="session")
def corrupted_run(background_runs) -> CorruptedRun:
    """A run on bad input after good runs (see run_on_a_corrupted_table)."""
    return background_runs("corrupted_run").result()


@pytest.fixture(scope="session")
def local_run(background_runs) -> Path:
    """One complete run on a partnership's extract (the local report), in the same scratch
    copy as `pipeline_run` and after it, shared by the tests that only read its outputs."""
    return background_runs("local_run").result()


@pytest.fixture(scope="session")
def pipeline_run(background_runs) -> Path:
    """One complete run of the default configuration, from clean, shared likewise."""
    return background_runs("pipeline_run").result()


@pytest.fixture(scope="session")
def generated_attacks(background_runs) -> dict:
    """The attacker's findings on generated extracts, by size (see generated_attacks.py)."""
    return background_runs("generated_attacks").result()


@pytest.fixture(scope="session")
def phone_layouts(background_runs) -> dict[str, dict] | None:
    """Both reports at a phone's width, by analysis ("national", "local"; see
    lay_out_on_a_phone)."""
    return background_runs("phone_layouts").result()


@pytest.fixture(scope="session")
def resumed_run(background_runs) -> ResumedRun:
    """A second run of the default configuration, killed part-way and resumed."""
    return background_runs("resumed_run").result()
