"""Each rule's code inputs are the modules its script imports, followed transitively."""

from pathlib import Path

import pytest
from conftest import ROOT

from triennial.pipeline.code import code_inputs, imported_names, module_files

SCRIPTS = sorted((ROOT / "workflow/scripts").glob("*.py"))
SOURCE = ROOT / "src/triennial"


def closure(script: str) -> set[str]:
    files = code_inputs(str(ROOT / "workflow/scripts" / f"{script}.py"), str(SOURCE))
    return {str(Path(f).relative_to(SOURCE)) for f in files}


def test_a_module_brings_its_packages_init_files():
    files = module_files("triennial.stats.meta", SOURCE)
    assert [f.relative_to(SOURCE).as_posix() for f in files] == [
        "__init__.py",
        "stats/__init__.py",
        "stats/meta.py",
    ]
    assert module_files("pandas.io", SOURCE) == ()  # not ours
    assert module_files("triennial.stats.meta.pool", SOURCE)[-1].name == "meta.py"  # a name in it


def test_from_import_of_a_module_is_followed(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("from triennial.figures import style\nimport os\n")
    assert "triennial.figures.style" in imported_names(script)
    got = code_inputs(str(script), str(SOURCE))
    assert str(SOURCE / "figures/style.py") in got


def test_the_meta_analysis_is_code_of_the_pooling_rule_only():
    """The report reruns after an edit of meta.py because its inputs change, not its code."""
    users = {s.stem for s in SCRIPTS if "stats/meta.py" in closure(s.stem)}
    assert users == {"bruising_pool"}


def test_rendering_runs_the_renderer_and_its_filters_not_the_analysis():
    files = closure("render_report")
    assert {
        "report/render/pandoc.py",
        "report/render/crossref.lua",
        "report/render/report.css",
    } <= (files)
    assert not any(f.startswith(("stats/", "analysis/", "figures/")) for f in files)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_every_script_calls_the_pipeline_layer(script):
    """Rule scripts are thin: they import `triennial.pipeline` and nothing else of ours."""
    ours = [n for n in imported_names(script) if n.startswith("triennial")]
    assert ours and all(n.startswith("triennial.pipeline.") for n in ours), ours
