"""No hand-typed number in the report: every digit in its prose and alt texts comes from a
variable (`{{< var ... >}}`), apart from years, statute section numbers, table numbers of the
published report, list markers and the sources' age-band labels. The same holds for the text the
report's code writes (table captions, headers and the sentences variables hold): every digit
there comes from data or a named setting. A planted number makes either check fail.

A year passes only as a date: a period (2014–17), or a single year from 1989 (the Children Act)
to 2030 that follows a word that introduces a date (in, since, the, Act, ...) and does not come
before a plural noun, where a number would be counting something ("2019 infants")."""

import ast
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
YEAR = r"(?:19(?:89|9\d)|20[0-2]\d|2030)"  # the Children Act 1989 to the report's horizon
PERIOD = re.compile(rf"\b{YEAR}\s?[–-]\s?(?:{YEAR}|\d\d)\b")  # 2014-17, 2014–2017
SINGLE_YEAR = re.compile(rf"\b{YEAR}\b")
DATE_WORDS = {"in", "of", "the", "since", "until", "from", "to", "and", "between", "before"}
DATE_WORDS |= {"after", "during", "by", "beside", "act"}
COUNTED = re.compile(r"\s+(?:[a-z]+s|children|people)\b")  # a plural noun: a count, not a year
ALLOWED = [
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


def is_date(text: str, match: re.Match) -> bool:
    """A single year in date context: after a word introducing a date, before no plural."""
    before = re.findall(r"[A-Za-z]+", text[max(0, match.start() - 30) : match.start()])
    after = text[match.end() :]
    return bool(before) and before[-1].lower() in DATE_WORDS and not COUNTED.match(after)


def without_years(text: str) -> str:
    text = PERIOD.sub(" ", text)
    kept = [m for m in SINGLE_YEAR.finditer(text) if is_date(text, m)]
    for m in reversed(kept):
        text = text[: m.start()] + " " + text[m.end() :]
    return text


def prose(text: str, allowed=()) -> str:
    """The prose and alt texts of a .qmd source, with allowed digits removed."""
    alts = alt_texts(text)
    text = re.sub(r'fig-alt="[^"]*"', "", text)
    text = "\n".join([text, *alts])
    for pattern in NOT_PROSE:
        text = re.sub(pattern, " ", text, flags=re.S)
    text = without_years(text)
    for pattern in [*ALLOWED, *allowed]:
        text = re.sub(pattern, " ", text, flags=re.S)
    return text


def hand_typed(text: str, allowed=()) -> list[str]:
    """Each line of prose that still holds a digit."""
    lines = prose(text, allowed).splitlines()
    return [line.strip() for line in lines if re.search(r"\d", line)]


# The text the report's code writes: string literals of src/triennial/report/ (not the
# renderer, which writes markup), docstrings aside. A literal of three words or more is prose
# (a caption, a header, a sentence); an f-string's replacement fields are data, not digits.
CODE = ROOT / "src" / "triennial" / "report"
CODE_ALLOWED = [
    r"\b[A-Za-z]\w*_\w*",  # identifiers (row ids, column names)
    r"\b100\s?%",  # the ceiling of a share ("none ≤ 100%"), not a figure
    r"\b2\s?×\s?2\b",  # the shape of a table
    r"\bSHA-256\b",  # the name of a hash function
]


def docstrings(tree: ast.AST) -> set[int]:
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef))]
    return {
        id(n.body[0].value)
        for n in nodes
        if n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)
    }


def code_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) of every prose literal of a module, f-string fields blanked."""
    tree = ast.parse(source)
    skip, out = docstrings(tree), []
    inner = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in ast.walk(tree):
        if id(node) in skip or id(node) in inner:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else " " for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if len(text.split()) >= 3:
            out.append((node.lineno, text))
    return out


def hand_typed_in_code(source: str) -> list[tuple[int, list[str]]]:
    found = [(line, hand_typed(text, CODE_ALLOWED)) for line, text in code_texts(source)]
    return [(line, lines) for line, lines in found if lines]


CODE_FILES = sorted(p for p in CODE.rglob("*.py") if "render" not in p.relative_to(CODE).parts)


@pytest.mark.parametrize("module", CODE_FILES, ids=lambda p: p.name)
def test_every_number_the_report_code_writes_comes_from_data(module):
    assert hand_typed_in_code(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "planted",
    [
        'CAPTION = "Rates with their 95% intervals."',
        'def f(x):\n    return f"{x} of the 330 rapid reviews"',
        'HEADER = "Change a year, % (95% CI)"',
        'TEXT = "2019 infants were bruised that year."',
    ],
)
def test_a_number_planted_in_the_code_is_caught(planted):
    assert hand_typed_in_code(planted)


def test_code_allowances_pass():
    source = (
        'def f(level, row):\n    """A docstring may say 95% freely."""\n'
        '    return f"{level}% CI for sugar_under_6m, none ≤ 100%, in the 2018 reform"'
    )
    assert hand_typed_in_code(source) == []


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
        "2019 infants were bruised.",
        "Of 2019 infants, some bruised.",
        "The panel counted 1950 cases.",
    ],
)
def test_a_planted_number_is_caught(planted):
    source = (REPORT / "triennial-report.qmd").read_text(encoding="utf-8")
    assert hand_typed(source + "\n" + planted + "\n")


@pytest.mark.parametrize(
    "allowed",
    [
        "In 2014-17 and 2022–23, under section 47 (Table 3), see @fig-flow [@brandon2020, p. 12].",
        "Since 2005, before the 2018 reform, under the Children Act 1989, the 2022 paper.",
        "Deaths numbered {{< var key_deaths.n >}} ({{< var key_deaths.pct >}}%).",
        "1. A list item",
    ],
)
def test_years_variables_and_references_pass(allowed):
    assert hand_typed(allowed) == []
