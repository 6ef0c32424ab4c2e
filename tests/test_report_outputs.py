"""The rendered report, read as a machine would: markers, alt text, links, numbers, PDF."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pypdf
import pytest
from folders import NATIONAL
from reader import (
    CHROMIUM,
    body_text,
    pdf_text,
    snake_case,
    table_rows_missing,
    visible_text,
)
from reader import pdf_pages as read_pdf_pages

pytestmark = pytest.mark.pipeline
UNRESOLVED = ("{{<", "?var:", "@fig-", "@tbl-", "@sec-", "??", "[missing image]")
# a number's provenance pop-up ends where the number's span does: </span></span>
POPUP = re.compile(r'<span id="prov-\d+" class="prov-tip".*?</span></span>', re.S)


class Elements(HTMLParser):
    """The tags a reader's browser would fetch, and the text of the page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def html(pipeline_run) -> Path:
    return pipeline_run / NATIONAL / "report/triennial-report.html"


@pytest.fixture(scope="module")
def pdf(pipeline_run) -> Path:
    return pipeline_run / NATIONAL / "report/triennial-report.pdf"


@pytest.fixture(scope="module")
def pdf_pages(pdf) -> list[str]:
    """The text of each page."""
    return read_pdf_pages(pdf)


def test_nothing_unresolved_in_html_or_pdf(html, pdf_pages):
    page = html.read_text(encoding="utf-8")
    text = " ".join(parse(html).text)
    pages = " ".join(pdf_pages)
    for marker in UNRESOLVED:
        assert marker not in text, marker
        assert marker not in page, marker  # nor in the markup: attributes, alt text
        assert marker not in pages, marker


def test_numbered_figures_and_tables_and_a_key_finding(html):
    text = visible_text(html.read_text(encoding="utf-8"))  # Quarto writes "Figure&nbsp;1"
    assert "Figure 1" in text and "Table 1" in text
    # read without the provenance pop-ups, whose spans sit between a number and its words
    text = re.sub(r"\s+", " ", key_findings_text(html))
    assert re.search(r"208 of 278 reports \( ?74\.8 ?%, 69\.4–79\.6 ?\)", text)


def test_every_figure_has_alt_text(html):
    images = [attrs for tag, attrs in parse(html).tags if tag == "img"]
    assert len(images) >= 9  # every figure of the national report
    assert all(attrs.get("alt", "").strip() for attrs in images)


def test_the_html_fetches_nothing_from_the_network(html):
    for tag, attrs in parse(html).tags:
        for key in ("src", "href"):
            value = attrs.get(key, "")
            if tag in ("script", "link", "img", "source", "iframe") or key == "src":
                assert not re.match(r"(https?:)?//", value), (tag, value)


def test_tables_are_real_tables(html):
    tags = [tag for tag, _ in parse(html).tags]
    assert tags.count("table") >= 20 and "th" in tags and "td" in tags


def key_findings_text(html: Path) -> str:
    page = html.read_text(encoding="utf-8")
    start = page.index('id="key-findings"')  # the section, not its line in the contents
    end = page.index("</section>", start)
    section = POPUP.sub(" ", page[start:end])
    return re.sub(r"<[^>]+>", " ", section)


def results_numbers(results: Path) -> set[str]:
    """Every number in the results tables, as the report may write it."""
    shown = set()
    for path in results.glob("*.csv"):
        for value in pd.read_csv(path).select_dtypes("number").to_numpy().ravel():
            if pd.isna(value):
                continue
            # the report writes a sign apart (a typographic minus), so compare magnitudes
            for x in (abs(value), 100 * abs(value)):
                shown |= {f"{x:.0f}", f"{x:,.0f}", f"{x:.1f}", f"{x:.2f}"}
    return shown


def test_every_number_in_the_key_findings_is_in_a_results_table(html, pipeline_run):
    text = key_findings_text(html)
    text = re.sub(r"\d{1,2} \w+ \d{4}", " ", text)  # dates of the period, from the config
    text = re.sub(r"Section \d+", " ", text)  # cross-references
    text = re.sub(r"\b(19|20)\d\d\b", " ", text)  # years in citations
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", text)
    assert len(numbers) > 20
    known = results_numbers(pipeline_run / NATIONAL / "tables")
    known |= {"95"}  # the confidence level, from the config
    missing = sorted({n for n in numbers if n not in known})
    assert missing == []


def test_pdf_is_a4_with_contents_page_numbers_and_text_on_every_page(pdf, pdf_pages):
    reader = pypdf.PdfReader(pdf)
    assert all(text.strip() for text in pdf_pages)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "Contents" in pdf_pages[0] or "Contents" in pdf_pages[1]
    # the page number at the foot of every page after the first
    for number, text in enumerate(read_pdf_pages(pdf, layout=True)[1:], start=2):
        assert re.search(rf"\b{number}\s*$", text.strip()), number


def test_no_code_names_in_the_html_or_the_pdf(html, pdf):
    """Readers see words: no snake_case identifier in the report's text (issue 14)."""
    assert snake_case(body_text(html.read_text(encoding="utf-8"))) == []
    assert snake_case(pdf_text(pdf)) == []


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_a_phone_screen_holds_every_element(phone_layouts):
    """At 390 px wide nothing reaches past the screen but inside a scroll box; captions and
    headers wrap at the screen's width and between words."""
    layout = phone_layouts["national"]
    assert layout["width"] == 390
    assert layout["wide"] == [] and layout["captions"] == [] and layout["broken"] == []


def test_every_table_row_is_in_the_pdf(pdf, pipeline_run):
    """No row lost at a page foot: long tables break across pages (layout.typ)."""
    tables = sorted((pipeline_run / NATIONAL / "report_inputs").glob("tbl_*.md"))
    assert len(tables) >= 20
    assert table_rows_missing(pdf_text(pdf), tables) == []


# The triennial analysis's shape (issue 14): its three parts and the sections of each, in order.
CONTENTS = [
    "Key findings",
    "Part I: The national picture",
    "Key themes and context",
    "Children and families",
    "Neglect",
    "Vulnerable adolescents",
    "Multi-agency working",
    "Messages from care and court cases",
    "Enabling children to have a voice",
    "Commissioning and the impact of reviews",
    "Implications for policy and practice",
    "Extrafamilial harm",
    "Early help and children’s social care",
    "Part II: Evidence topics",
    "Bruising in pre-mobile infants",
    "Trends",
    "Part III: Methods and validation",
    "From review extracts to estimates",
    "Inter-coder agreement",
    "Subgroup",
    "data provenance",
    "published versus reproduced",
    "cleaning log",
    "software and inputs",
]


def test_the_contents_list_the_three_parts_and_their_sections_in_order(html):
    page = html.read_text(encoding="utf-8")
    toc = re.search(r'<nav[^>]*id="TOC".*?</nav>', page, re.S)
    assert toc, "no table of contents"
    text = visible_text(toc.group(0)).replace("'", "’")
    at = 0
    for title in CONTENTS:
        found = text.find(title, at)
        assert found >= 0, f"{title!r} missing from the contents, or out of order"
        at = found + len(title)
