"""Number-level provenance: in the HTML each number of the prose shows, on hover or focus, its
source (citation, locator, quote) or its results table and row; the PDF shows the number alone."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from folders import NATIONAL
from reader import pdf_text

from triennial.report.numbers import computed, provenance, raw_tip
from triennial.report.render.document import render_report
from triennial.report.render.shortcodes import PROVENANCE, expand

SAMPLE = Path(__file__).parent / "fixtures" / "render_sample"
SPAN = re.compile(
    r'<span class="prov" tabindex="0"\s+aria-describedby="(prov-\d+)">([^<]*)'
    r'<span\s+id="\1"\s+class="prov-tip"\s+role="tooltip">(.*?)</span></span>',
    re.S,
)


TIPS = {
    "cohort.reviews": "Source: [@brandon2020, Table 2]; printed. “notified to the department”",
    "cohort.deaths.share": "Computed: `results/tables/deaths.csv`, row all.",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """The render sample with pop-up texts for two of its numbers."""
    project = Path(shutil.copytree(SAMPLE, tmp_path_factory.mktemp("p") / "project"))
    variables = yaml.safe_load((project / "_variables.yml").read_text(encoding="utf-8"))
    variables[PROVENANCE] = TIPS
    (project / "_variables.yml").write_text(yaml.safe_dump(variables), encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    return render_report(project, "sample.qmd", out, engine="pandoc", epoch=1567296000)


def test_html_number_carries_its_source_citation_and_quote(rendered):
    html = rendered["html"].read_text(encoding="utf-8")
    spans = {number: tip for _, number, tip in SPAN.findall(html)}
    assert "235" in spans, "the sample's number has no pop-up"
    tip = spans["235"]
    assert 'data-cites="brandon2020">(Brandon' in tip  # an author-year citation
    assert "Table" in tip and "notified to the department" in tip
    assert "results/tables/deaths.csv" in spans["61%"]


def test_html_popups_are_css_only_and_focusable(rendered):
    html = rendered["html"].read_text(encoding="utf-8")
    assert ".prov:focus .prov-tip" in html and ".prov:hover .prov-tip" in html
    assert "<script" not in html.split("<body", 1)[1]  # no script in the page body


def test_pdf_numbers_stay_plain_text(rendered):
    text = pdf_text(rendered["pdf"])
    assert "235" in text
    assert "notified to the department" not in text and "Computed" not in text


def project_with(tmp_path: Path, body: str, tips: dict) -> Path:
    (tmp_path / "_variables.yml").write_text(
        yaml.safe_dump({"x": {"count": "42"}, PROVENANCE: tips}), encoding="utf-8"
    )
    (tmp_path / "doc.qmd").write_text(body, encoding="utf-8")
    return tmp_path


def test_numbers_in_front_matter_and_attributes_stay_plain(tmp_path):
    body = (
        '---\ntitle: "n = {{< var x.count >}}"\n---\n\n'
        "In prose {{< var x.count >}}.\n\n"
        '![A caption.](f.svg){#fig-a fig-alt="alt {{< var x.count >}} text"}\n\n'
        '::: {.callout-note title="Of {{< var x.count >}}"}\nBody.\n:::\n'
    )
    project = project_with(tmp_path, body, {"x.count": "Computed: `t.csv`, row r."})
    variables = yaml.safe_load((project / "_variables.yml").read_text())
    out = expand(project / "doc.qmd", project, variables)
    assert out.count('{.prov tabindex="0"') == 1
    assert 'title: "n = 42"' in out and 'fig-alt="alt 42 text"' in out and 'title="Of 42"' in out
    assert "In prose [42[Computed" in out


def test_a_number_without_provenance_is_left_alone(tmp_path):
    project = project_with(tmp_path, "Just {{< var x.count >}}.\n", {})
    variables = yaml.safe_load((project / "_variables.yml").read_text())
    assert expand(project / "doc.qmd", project, variables) == "Just 42.\n"


def test_raw_and_computed_tips():
    row = pd.Series(
        {
            "source": "rip2019briefing",
            "locator": "Table 1: parental [characteristics]",
            "status": "printed",
            "quote": "Alcohol misuse 99 (36%) *as printed*",
            "primary_source": "brandon2020",
            "primary_checked": "false",
        }
    )
    tip = raw_tip(row)
    assert tip.startswith("Source: [@rip2019briefing, Table 1: parental \\[characteristics\\]]")
    assert "primary [@brandon2020] not checked" in tip
    assert "\\*as printed\\*" in tip  # quotes are shown as printed, never as Markdown
    folders = {"results": "results/national", "processed": "data/processed/national"}
    assert computed("prevalence.csv", "t1_alcohol", folders) == (
        "Computed: `results/national/tables/prevalence.csv`, t1\\_alcohol."
    )
    assert computed("{processed}/extract/summary.json", "all", folders) == (
        "Computed: `data/processed/national/extract/summary.json`, all."
    )
    raw = pd.DataFrame([{**row.to_dict(), "row_id": "t1_alcohol"}]).set_index("row_id")
    meta = {"x": "1", **folders}
    tips = provenance({"t1_alcohol": {"count": "99", "pct": "35.6"}, "meta": meta}, raw, None)
    assert tips["t1_alcohol.count"] == tip
    assert "results/national/tables/prevalence.csv" in tips["t1_alcohol.pct"]
    assert "configuration" in tips["meta.x"]


@pytest.mark.pipeline
def test_the_report_shows_the_provenance_of_its_numbers(pipeline_run):
    html = (pipeline_run / NATIONAL / "report/triennial-report.html").read_text(encoding="utf-8")
    spans = SPAN.findall(html)
    assert len(spans) > 100
    assert len({tip_id for tip_id, _, _ in spans}) == len(spans)  # ids unique
    sourced = [tip for _, _, tip in spans if tip.startswith("Source:")]
    assert sourced and all('href="#ref-' in tip for tip in sourced)
    assert any(f"{NATIONAL}/tables/prevalence.csv" in tip for _, _, tip in spans)
    pdf = pipeline_run / NATIONAL / "report/triennial-report.pdf"
    text = pdf_text(pdf)
    assert "Computed:" not in text and "prov-" not in text
