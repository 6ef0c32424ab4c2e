"""The report's citations: every key it cites is in the registry (report/references.bib), and
every work the methods appendices cite can be opened by a reader (a DOI, a URL or, for a book,
an ISBN). A planted citation of a missing key, or of an entry without a link, is caught."""

import ast
import functools
import re

import pytest
from conftest import ROOT
from folders import NATIONAL

REPORT = ROOT / "report"
REGISTRY = REPORT / "references.bib"
METHODS = sorted(REPORT.glob("_methods*.qmd"))
# Quarto's cross-reference prefixes: @fig-x, @tbl-x, @sec-x and @eq-x are not citations.
CROSS_REFERENCE = re.compile(r"(?:fig|tbl|sec|eq)-")
CITATION = re.compile(r"(?<![\w.@])-?@([A-Za-z][\w]*(?:[:.-][\w]+)*)")
LINK = re.compile(r"^\s*(doi|url|isbn)\s*=\s*\{\S", re.M)


def registry() -> dict[str, str]:
    """Registry entries by key (the entry's text)."""
    text = REGISTRY.read_text(encoding="utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r"@\w+\{(\w+),.*?\n\}", text, re.S)}


def cited(text: str) -> set[str]:
    """Citation keys of Pandoc's syntax ([@key], @key), without cross-references."""
    text = re.sub(r"https?://\S+", " ", text)
    return {k for k in CITATION.findall(text) if not CROSS_REFERENCE.match(k)}


def code_strings(source: str) -> str:
    """The string constants of a Python module that are not docstrings (docstrings show the
    syntax with made-up keys; the other strings reach the report as Markdown)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return "\n".join(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    )


@functools.cache  # read once: each parametrized test looks up its own text
def report_texts() -> dict[str, str]:
    """The report sources, and the report code's strings."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(REPORT.glob("*.qmd"))}
    for p in sorted((ROOT / "src/triennial/report").rglob("*.py")):
        texts[str(p.relative_to(ROOT))] = code_strings(p.read_text(encoding="utf-8"))
    return texts


def unlinked(text: str, entries: dict[str, str]) -> list[str]:
    return sorted(k for k in cited(text) if k in entries and not LINK.search(entries[k]))


def test_the_citation_pattern_reads_pandoc_syntax():
    text = "As @holm1979 showed [@wilson1927; @clopper1934, p. 3], see @fig-a and @tbl-b (x@y.org)."
    assert cited(text) == {"holm1979", "wilson1927", "clopper1934"}


@pytest.mark.parametrize("name", list(report_texts()))
def test_every_cited_key_is_in_the_registry(name):
    missing = cited(report_texts()[name]) - set(registry())
    assert not missing, (name, sorted(missing))


@pytest.mark.parametrize("source", METHODS, ids=lambda p: p.name)
def test_every_work_the_methods_cite_can_be_opened(source):
    assert unlinked(source.read_text(encoding="utf-8"), registry()) == []


def test_a_citation_without_a_link_is_caught():
    bare = "@article{nolink1999,\n  title = {A},\n  year = {1999}\n}"
    entries = {**registry(), "nolink1999": bare}
    assert unlinked("as shown [@nolink1999; @wilson1927]", entries) == ["nolink1999"]
    assert unlinked("as shown [@wilson1927]", entries) == []


def test_a_missing_key_is_caught():
    assert cited("[@nosuchwork2099]") - set(registry()) == {"nosuchwork2099"}


@pytest.mark.pipeline
def test_every_registry_entry_is_in_the_references_of_the_national_report(pipeline_run):
    """The registry holds only works the report relies on: each is cited, so each is listed
    in the rendered References (an entry cited nowhere would be missing there)."""
    html = (pipeline_run / NATIONAL / "report" / "triennial-report.html").read_text()
    listed = set(re.findall(r'id="ref-([^"]+)"', html))
    assert listed, "no References list in the HTML"
    assert sorted(set(registry()) - listed) == []
