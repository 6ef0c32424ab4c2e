"""The coding template made from the codebook: columns, drop-downs, definitions; and a
template filled in with allowed codes reads back clean."""

from pathlib import Path

import openpyxl

from triennial.data.codebook import load_codebook
from triennial.data.template import write_template

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = load_codebook(ROOT / "data/raw/extracts/codebook.schema.json")


def test_one_column_per_typed_field_with_the_codes_as_a_drop_down(tmp_path):
    path = write_template(CODEBOOK, tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["reviews"]
    header = [c.value for c in sheet[1]]
    # the required fields, then the optional learning themes a partnership may code
    assert header == CODEBOOK.required_columns + CODEBOOK.themes()
    rules = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    column = header.index("outcome") + 1
    letter = sheet.cell(row=1, column=column).column_letter
    rule = rules[f"{letter}2"]
    assert rule.type == "list"
    codes = [c.value for c in book["codes"][letter] if c.value is not None]
    assert codes == CODEBOOK.field("outcome")["constraints"]["enum"]
    definitions = {r[0]: r for r in book["definitions"].iter_rows(min_row=2, values_only=True)}
    assert set(definitions) == set(header)
    assert "serious_harm" in definitions["outcome"][4]


def test_the_template_is_the_same_bytes_each_time(tmp_path):
    a = write_template(CODEBOOK, tmp_path / "a.xlsx").read_bytes()
    b = write_template(CODEBOOK, tmp_path / "b.xlsx").read_bytes()
    assert a == b
