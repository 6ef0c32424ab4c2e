"""The published tables: they validate, the corrections hold, and bad input is named."""

import json

import pandas as pd
import pytest
from conftest import DESCRIPTOR, PUBLISHED, ROOT, edit_cell

from triennial.data import published
from triennial.data.errors import DataError

SOURCES = ROOT / "data" / "raw" / "sources"


def problems_of(descriptor) -> list[str]:
    with pytest.raises(DataError) as info:
        published.validate(descriptor)
    return [str(p) for p in info.value.problems]


def test_committed_tables_validate():
    summary = published.validate(DESCRIPTOR)
    assert summary["status"] == "valid"
    assert summary["tables"]["table1_parental"] == 7
    assert summary["tables"]["table5_review_methods"] == 8


def test_corrections_fix_the_garbled_age_bands():
    clean, log = published.clean(DESCRIPTOR)
    n = clean.set_index("row_id")["count"]
    assert [n[f"t3_n_{b}"] for b in ("under_1", "1_to_5", "6_to_10", "11_to_15", "16_plus")] == [
        113,
        58,
        17,
        52,
        38,
    ]
    # The footnoted denominators follow: 278 - 113 = 165 and 17 + 52 + 38 = 107.
    assert 278 - n["t3_n_under_1"] == 165
    assert n["t3_n_6_to_10"] + n["t3_n_11_to_15"] + n["t3_n_16_plus"] == 107
    corrections = log[~log["rule"].str.startswith(published.DENOMINATOR_FILL)]
    assert list(corrections["old_value"]) == ["1138", "158", "117"]
    assert clean.set_index("row_id").loc["t3_disability_under_1", "nobs"] == 113


def test_without_corrections_the_garbled_values_are_caught(package):
    (package.parent / "corrections.csv").write_text(
        (package.parent / "corrections.csv").read_text().splitlines()[0] + "\n"
    )
    problems = "\n".join(problems_of(package))
    assert "table3_child.csv, row 2, column 'count': value '1138'" in problems


def test_stale_correction_is_refused(package):
    edit_cell(package.parent / "table3_child.csv", "t3_n_under_1", "count", "1139")
    problems = "\n".join(problems_of(package))
    assert "corrections.csv, row 2, column 'original_value': value '1138'" in problems


T1, T2, T4 = "table1_parental.csv", "table2_family.csv", "table4_neglect_adversity.csv"
T5, KEY = "table5_review_methods.csv", "key_data.csv"
# (file, row_id, column, new value), then what the message must name: (row, column, value),
# and a phrase of what was expected.
CORRUPTIONS = [
    ((T1, "t1_drug_misuse", "count", "ninety"), (3, "count", "ninety"), "whole number"),
    ((T1, "t1_drug_misuse", "count", "300"), (3, "count", "300"), "at most the denom"),
    ((T1, "t1_drug_misuse", "count", "-1"), (3, "count", "-1"), "at least 0"),
    # counts and printed percentage disagree: the percentage is named, with the counts
    ((T1, "t1_drug_misuse", "count", "120"), (3, "percent_printed", "36"), "120/278"),
    ((T1, "t1_drug_misuse", "percent_printed", "40"), (3, "percent_printed", "40"), "99/278"),
    ((T2, "t2_poverty", "kind", "share"), (8, "kind", "share"), "one of"),
    # parts that no longer sum: the total's row is named, with the parts' sum
    ((T5, "t5_other", "count", "20"), (9, "count", "278"), "279"),
    ((T4, "t4_poverty", "count_max", "83"), (5, "count_max", "83"), "82, from 39%"),
    ((KEY, "key_deaths_direct", "count", "207"), (5, "count", "207"), "at most"),
]


@pytest.mark.parametrize(("edit", "named", "expected"), CORRUPTIONS)
def test_a_corrupted_cell_is_named(package, edit, named, expected):
    file, row_id, column, value = edit
    edit_cell(package.parent / file, row_id, column, value)
    where = f"{file}, row {named[0]}, column '{named[1]}': value '{named[2]}'"
    problems = problems_of(package)
    assert any(where in p and expected in p for p in problems), problems


def test_missing_column_is_named(package):
    path = package.parent / "table2_family.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="nobs")
    frame.to_csv(path, index=False)
    assert any(
        "table2_family.csv, row 1, column 'nobs'" in p and "missing" in p
        for p in problems_of(package)
    )


def test_extra_column_empty_file_and_bad_encoding_are_named(package):
    base = package.parent
    frame = pd.read_csv(base / "table2_family.csv", dtype=str, keep_default_na=False)
    frame.assign(extra="x").to_csv(base / "table2_family.csv", index=False)
    (base / "table5_review_methods.csv").write_text("")
    (base / "adolescents.csv").write_bytes("row_id\n\xe9\n".encode("latin-1"))
    problems = "\n".join(problems_of(package))
    assert "table2_family.csv, row 1, column 'extra': unexpected column" in problems
    assert "table5_review_methods.csv: file is empty" in problems
    assert "adolescents.csv, row 2" in problems and "UTF-8" in problems


def test_duplicate_row_id_across_tables_is_named(package):
    edit_cell(package.parent / "table2_family.csv", "t2_poverty", "row_id", "t1_drug_misuse")
    assert any("'t1_drug_misuse'" in p and "unique" in p for p in problems_of(package))


def test_unknown_reference_is_named(package):
    edit_cell(package.parent / "adolescents.csv", "adol_deaths", "subset_of", "nowhere")
    assert any("column 'subset_of': value 'nowhere'" in p for p in problems_of(package))


def test_clean_dtypes_follow_the_schema():
    schema = json.loads((PUBLISHED / "published_table.schema.json").read_text())
    pandas_type = {"integer": "Int64", "number": "Float64", "boolean": "boolean"}
    from_schema = {
        f["name"]: pandas_type[f["type"]] for f in schema["fields"] if f["type"] in pandas_type
    }
    added = {"corrected": "boolean", "source_line": "Int64"}
    assert published.CLEAN_DTYPES == from_schema | added


def test_clean_table_round_trips_through_csv(tmp_path):
    clean, _ = published.clean(DESCRIPTOR)
    clean.to_csv(tmp_path / "clean.csv", index=False)
    again = published.read_clean(tmp_path / "clean.csv")
    pd.testing.assert_frame_equal(
        again.drop(columns="table"), clean.drop(columns="table").astype(again.dtypes.drop("table"))
    )
