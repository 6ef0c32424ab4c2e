"""No hand-typed number in the report: every digit in its prose and alt texts comes from a
variable (`{{< var ... >}}`), apart from years, statute section numbers, table numbers of the
published report, list markers and the sources' age-band labels. A planted number makes the
check fail."""

import re

import pytest
from conftest import ROOT

REPORT = ROOT / "report"

# Removed before looking for digits: what is not prose, and what may hold digits.
NOT_PROSE = [
    r"\A---\n.*?\n---\n",  # YAML front matter
    r"```.*?```",  # code and raw blocks
    r"\$\$.*?\$\$",  # display maths
    r"\$[^$\n]+\$",  # inline maths
    r"\{\{<.*?>\}\}",  # shortcodes: variables and includes
    r"\[@[^\]]*\]",  # citations
    r"-?@[\w:.-]+",  # narrative citations and cross-references
    r"\{#[^}]*\}",  # identifiers and attribute blocks (alt text is kept apart below)
    r"\]\([^)]*\)",  # link and image targets
    r"https?://\S+",
]
ALLOWED = [
    r"\b(?:19|20)\d\d(?:\s?[–-]\s?(?:(?:19|20)\d\d|\d\d)\b)?",  # years, 2014-17, 2014–2017
    r"(?i:\bsections?\s+\d+)",  # section 47 of the Children Act
    r"\bTables?\s+\d+(?:\s*(?:and|to|–|-)\s*\d+)?",  # the published report's Table 1-5
    r"(?m:^\s*\d+\.\s)",  # list markers
    r"\bSYN-\d+",
    r"\bNB2\b",  # the negative binomial model's name
    # the age bands the sources define (labels of published groups, not figures)
    r"\b(?:aged\s+(?:11|6)\s+or\s+over|11\s+or\s+over|under\s+6\s+months|5\s+months\s+or\s+less)",
]


def alt_texts(text: str) -> list[str]:
    return re.findall(r'fig-alt="([^"]*)"', text)


def prose(text: str) -> str:
    """The prose and alt texts of a .qmd source, with allowed digits removed."""
    alts = alt_texts(text)
    text = re.sub(r'fig-alt="[^"]*"', "", text)
    text = "\n".join([text, *alts])
    for pattern in NOT_PROSE + ALLOWED:
        text = re.sub(pattern, " ", text, flags=re.S)
    return text


def hand_typed(text: str) -> list[str]:
    """Each line of prose that still holds a digit."""
    return [line.strip() for line in prose(text).splitlines() if re.search(r"\d", line)]


@pytest.mark.parametrize("source", sorted(REPORT.glob("*.qmd")), ids=lambda p: p.name)
def test_every_number_in_the_report_comes_from_a_variable(source):
    assert hand_typed(source.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "planted",
    [
        "About 1.5 per cent of infants bruise.",
        '![x](figures/a.svg){#fig-a fig-alt="bars near 200 a year"}',
        "Deaths numbered {{< var key_deaths.n >}}, of which 78 were direct.",
        "The pooled rate is 0.5%.",
    ],
)
def test_a_planted_number_is_caught(planted):
    source = (REPORT / "triennial-report.qmd").read_text(encoding="utf-8")
    assert hand_typed(source + "\n" + planted + "\n")


@pytest.mark.parametrize(
    "allowed",
    [
        "In 2014-17 and 2022–23, under section 47 (Table 3), see @fig-flow [@brandon2020, p. 12].",
        "Deaths numbered {{< var key_deaths.n >}} ({{< var key_deaths.pct >}}%).",
        "1. A list item",
    ],
)
def test_years_variables_and_references_pass(allowed):
    assert hand_typed(allowed) == []
