"""A coding template from the codebook: the workbook a coder fills in.

Sheet "reviews": one column per field a coder types (derived ones, like age_band, left
out), a drop-down list of the allowed codes for every coded field, whole numbers for
numbers, dates for dates. Sheet "definitions": each field's title, description, codes
and unit, so the workbook stands on its own.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from triennial.data.codebook import Codebook

ROWS = 500  # rows that carry the drop-down lists
FIXED_TIME = datetime(2019, 9, 1)  # the workbook's own timestamps: same codebook, same bytes
ZIP_TIME = FIXED_TIME.timetuple()[:6]


def coding_template(codebook: Codebook) -> Workbook:
    """The template workbook (see the module docstring)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "reviews"
    codes = book.create_sheet("codes")  # drop-down lists longer than Excel's inline limit
    fields = [f for f in codebook.fields if not f.get("derived")]
    for col, field in enumerate(fields, start=1):
        cell = sheet.cell(row=1, column=col, value=field["name"])
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(field["name"]) + 2)
        rule = _validation(field, codes, col)
        if rule is not None:
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{ROWS + 1}")
    sheet.freeze_panes = "A2"
    codes.sheet_state = "hidden"
    _definitions(book.create_sheet("definitions"), fields)
    book.properties.created = book.properties.modified = FIXED_TIME
    return book


def _validation(field: dict, codes, col: int) -> DataValidation | None:
    """The drop-down of allowed codes, or the number/date rule, of one field."""
    enum = field.get("constraints", {}).get("enum")
    if enum:
        for row, code in enumerate(enum, start=1):
            codes.cell(row=row, column=col, value=code)
        letter = codes.cell(row=1, column=col).column_letter
        rule = DataValidation(
            type="list", formula1=f"codes!${letter}$1:${letter}${len(enum)}", allow_blank=True
        )
        rule.error = f"{field['name']}: choose one of the codes in the list"
        rule.showErrorMessage = True
        return rule
    if field.get("type") == "integer":
        low = field.get("constraints", {}).get("minimum", 0)
        high = field.get("constraints", {}).get("maximum", 10**6)
        rule = DataValidation(type="whole", operator="between", formula1=low, formula2=high)
        rule.error = f"{field['name']}: a whole number from {low} to {high}"
        rule.showErrorMessage = True
        return rule
    return None


def _definitions(sheet, fields: list[dict]) -> None:
    header = ["field", "title", "type", "unit", "codes", "description"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for f in fields:
        enum = f.get("constraints", {}).get("enum") or []
        sheet.append(
            [f["name"], f.get("title", ""), f.get("type", ""), f.get("unit", ""),
             ", ".join(map(str, enum)), f.get("description", "")]
        )  # fmt: skip
    for letter, width in zip("ABCDEF", (28, 30, 10, 10, 50, 90), strict=True):
        sheet.column_dimensions[letter].width = width


def workbook_bytes(book: Workbook, edit=None) -> bytes:
    """The workbook's bytes, the same for the same content: openpyxl stamps the time of
    saving into docProps/core.xml and the zip's entries, so both are set to FIXED_TIME.
    `edit` may change the XML text of each sheet: (name, text) -> text."""
    book.properties.created = FIXED_TIME
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            if edit is not None and info.filename.startswith("xl/worksheets/"):
                data = edit(info.filename, data.decode("utf-8")).encode("utf-8")
            dst.writestr(zipfile.ZipInfo(info.filename, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_template(codebook: Codebook, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(coding_template(codebook)))
    return path
