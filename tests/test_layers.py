"""The package's layers import only downwards, and statistics do no I/O.

Layers, lowest first: stats, data, analysis and synthetic (side by side), figures,
report, pipeline. A module may import its own layer and any lower one; `checks`
stands apart and imports nothing of the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "triennial"
RANK = {
    "stats": 0,
    "data": 1,
    "analysis": 2,
    "synthetic": 2,
    "figures": 3,
    "report": 4,
    "pipeline": 5,
    "checks": 0,
}
# What a pure statistics module must not touch: files, Snakemake, plotting.
STATS_FORBIDDEN_IMPORTS = ("snakemake", "pandas.io", "matplotlib", "pathlib", "os", "shutil")
STATS_FORBIDDEN_CALLS = {
    "open", "read_csv", "read_excel", "read_json", "read_parquet", "read_table",
    "to_csv", "to_excel", "to_json", "to_parquet", "read_text", "write_text",
    "read_bytes", "write_bytes", "savefig",
}  # fmt: skip


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def imported(tree: ast.AST) -> list[str]:
    """Every module name an import statement names (absolute imports only)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_every_module_is_in_a_layer():
    loose = [p.name for p in modules() if p.parent == PACKAGE and p.name != "__init__.py"]
    assert not loose, f"modules outside a layer folder: {loose}"
    assert {layer(p) for p in modules() if p.parent != PACKAGE} <= set(RANK)


@pytest.mark.parametrize("path", [p for p in modules() if p.parent != PACKAGE], ids=str)
def test_imports_go_only_downwards(path):
    own = layer(path)
    wrong = []
    for name in imported(ast.parse(path.read_text(encoding="utf-8"))):
        parts = name.split(".")
        if parts[0] != "triennial" or len(parts) < 2 or parts[1] not in RANK:
            continue
        other = parts[1]
        if other == own:
            continue
        upward = RANK[other] > RANK[own]
        sideways = RANK[other] == RANK[own]
        if upward or sideways or own == "checks":
            wrong.append(f"{name} ({'upward' if upward else 'sideways'})")
    assert not wrong, f"{path.relative_to(PACKAGE)} imports {sorted(set(wrong))}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "stats").glob("*.py")), ids=lambda p: p.name)
def test_statistics_do_no_io(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [n for n in imported(tree) if n.split(".")[0] in STATS_FORBIDDEN_IMPORTS
           or n.startswith(STATS_FORBIDDEN_IMPORTS)]  # fmt: skip
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in STATS_FORBIDDEN_CALLS:
                bad.append(f"{name}() on line {node.lineno}")
    assert not bad, f"stats/{path.name} does I/O or imports {bad}"


def test_the_check_can_fail(tmp_path, monkeypatch):
    """A planted upward import is caught (the test above is not vacuous)."""
    tree = ast.parse("from triennial.report import tables\nimport pandas as pd\n")
    assert "triennial.report" in imported(tree)
    assert RANK["report"] > RANK["stats"]
