"""Checks of a rendered report as a reader sees it, shared by the report tests.

`visible_text`: the HTML's text without styles, scripts and MathML's TeX annotations;
`pdf_pages`, `pdf_text`: the PDF's text (pdftotext when installed, else pypdf);
`snake_case`: identifiers a reader should never see; `phone_layout`: what overflows a
390-px-wide screen, measured in headless Chromium.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pypdf

# An identifier: letters/digits joined by underscores (base_rate, t4_parental_criminal_behaviour),
# not inside a path or file name (results/tables/input_checksums.csv is a place, not a label).
SNAKE_CASE = re.compile(r"(?<![\w/.-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)  # fmt: skip


class _Visible(HTMLParser):
    HIDDEN = ("style", "script", "annotation", "title")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self._hidden -= tag in self.HIDDEN

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


# A number's provenance pop-up (shown on hover or focus; it names results tables and rows).
POPUP = re.compile(r'<span id="prov-\d+" class="prov-tip".*?</span></span>', re.S)


def body_text(page: str) -> str:
    """The text a reader sees without opening any pop-up."""
    return visible_text(POPUP.sub(" ", page))


def visible_text(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def pdf_pages(pdf: Path, layout: bool = False) -> tuple[str, ...]:
    """The text of each page of the PDF; pdftotext (poppler) keeps table rows apart better
    than pypdf, and takes a tenth of its time. `layout`: lines in their place on the page
    (so a page's foot comes last), as pdftotext -layout gives them.

    Extracted once per file and session (several test files read the same report).
    Zero-width spaces (layout.typ puts one after each "_" and "/" in a table cell) are
    removed, so an identifier in a table is seen whole."""
    stat = pdf.stat()
    layout = layout and shutil.which("pdftotext") is not None  # pypdf reads in one order only
    return _pdf_pages(Path(pdf).resolve(), layout, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _pdf_pages(pdf: Path, layout: bool, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    if shutil.which("pdftotext"):
        flags = ["-layout"] if layout else []
        run = subprocess.run(["pdftotext", *flags, str(pdf), "-"], capture_output=True, text=True)
        pages = run.stdout.split("\f")[:-1]  # each page ends with a form feed
    else:  # pypdf: content in the order it is drawn, the page's foot last
        pages = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    return tuple(page.replace("\u200b", "") for page in pages)


def pdf_text(pdf: Path) -> str:
    """The PDF's text, pages one after another (see `pdf_pages`)."""
    return "\n".join(pdf_pages(pdf))


def snake_case(text: str) -> list[str]:
    """Every snake_case identifier in `text`, once each, sorted."""
    return sorted({m.group(0) for m in SNAKE_CASE.finditer(text)})


# Runs in the page once it has loaded (inside an iframe as wide as a phone): lists the elements
# that reach past the right edge outside any scroll box, the captions and table headers that
# do so even inside one (they must wrap at the screen's width), and words split across lines.
_PROBE = """
document.getElementById("f").addEventListener("load", () => {
  const win = document.getElementById("f").contentWindow, doc = win.document;
  const width = doc.documentElement.clientWidth;
  const inScrollBox = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (["auto", "scroll", "hidden"].includes(win.getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " '"
    + (el.textContent || "").trim().slice(0, 40) + "'";
  const wide = [], captions = [], broken = [];
  for (const el of doc.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    if (!inScrollBox(el)) wide.push(name(el));
    else if (el.matches("caption, figcaption")) captions.push(name(el));
  }
  for (const el of doc.querySelectorAll("th, caption, figcaption")) {
    const walker = doc.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = doc.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map((q) => Math.round(q.top)));
        if (tops.size > 1 && !/[-\\u2013\\u2014/]/.test(m[0])) broken.push(m[0]);
      }
    }
  }
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({width, wide, captions, broken});
  document.body.appendChild(out);
});
"""


def phone_layout(page: Path, width: int = 390) -> dict:
    """Lay `page` out `width` px wide in headless Chromium and report what does not fit.

    Chromium's headless window is at least 500 px wide, so the page goes into an iframe of the
    phone's width (``srcdoc``, so that the probe may read it). Returns ``{"width", "wide",
    "captions", "broken"}``: the iframe's width, elements wider than it outside a scroll box,
    captions wider than it, and words of headers and captions split across two lines.
    """
    frame = page.with_name(page.stem + ".phone-probe.html")
    source = html.escape(page.read_text(encoding="utf-8"), quote=True)
    frame.write_text(
        '<!doctype html><html><body style="margin:0">'
        f'<iframe id="f" style="border:0;width:{width}px;height:2000px" srcdoc="{source}">'
        f"</iframe><script>{_PROBE}</script></body></html>",
        encoding="utf-8",
    )
    try:
        run = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--virtual-time-budget=10000", "--window-size=600,2100", "--dump-dom",
             frame.as_uri()],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    finally:
        frame.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.DOTALL)
    assert found, f"the layout probe did not run: {run.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def _plain(text: str) -> str:
    """Text as pdftotext gives it, comparable with Markdown: typographic quotes straight, soft
    hyphens (a word broken at a line end) and markup removed, one space between words."""
    for curly, straight in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(curly, straight)
    text = re.sub(r"\u00ad\s*", "", text.replace("\u200b", ""))
    # a word's own hyphen may be dropped or kept where a line breaks at it ("second-" /
    # "hand" reads as "secondhand"): compare words without their hyphens
    text = re.sub(r"(?<=\w)-\s*(?=\w)", "", text)
    # a citation key in a Markdown cell is rendered as author and year: compare the rest
    text = re.sub(r"\[?-?@[\w:.-]+\]?,?\s*", "", text)
    return re.sub(r"\s+", " ", re.sub(r"[*`\\]", "", text)).strip()


ALIGNMENT = re.compile(r"\|[\s:|-]*-[\s:|-]*")  # a pipe table's alignment row


def table_rows_missing(pdf_words: str, tables: list[Path]) -> list[str]:
    """First cells of the Markdown tables' rows that the PDF's text lacks.

    Each row's first cell must occur in the text as often as rows have it. pdftotext reads a
    table's wrapped cells line by line across columns, so a cell may come with another cell's
    words between its own: a cell's words in order, at most 300 characters apart, count too.
    A row printed below the page's foot (an unbreakable table) is not in the text at all.
    """
    text = _plain(pdf_words)
    need: dict[str, int] = {}
    for path in tables:
        lines = path.read_text(encoding="utf-8").splitlines()
        # A file may hold several tables: each row after its table's header and alignment row.
        rows = [
            line
            for i, line in enumerate(lines)
            if line[:1] == "|"
            and not ALIGNMENT.fullmatch(line)
            and not (i + 1 < len(lines) and ALIGNMENT.fullmatch(lines[i + 1]))
        ]
        for row in rows:
            first = _plain(row.strip("|").split("|")[0])
            if first:
                need[first] = need.get(first, 0) + 1
    missing = []
    for first, rows in need.items():
        found = text.count(first)
        if found < rows:
            spread = r".{0,300}?".join(re.escape(word) for word in first.split())
            found = len(re.findall(spread, text, re.DOTALL))
        missing += [first] * max(0, rows - found)
    return missing
