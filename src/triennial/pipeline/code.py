"""The package files a rule script runs: its `triennial` imports, followed transitively.

Snakemake reruns a job when its script changes, not when a module the script imports
does. Listing these files as the rule's `code` input closes that gap for exactly the
modules the rule uses: editing the meta-analysis reruns the bruising jobs and the
report, not the trends. Only the standard library here: the Snakefile calls it on
every start.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

PACKAGE = "triennial"


# The import statements that name this package, found without parsing the whole module
# (parsing every module on every start costs a second): `from triennial... import ...`,
# parenthesised over several lines or not, and `import triennial...`, at any indentation.
IMPORT = re.compile(
    rf"^[ \t]*(from[ \t]+{PACKAGE}\b[\w.]*[ \t]+import[ \t]+(?:\([^)]*\)|[^\n]*)"
    rf"|import[ \t]+{PACKAGE}\b[^\n]*)",
    re.MULTILINE,
)


@cache  # the same modules recur in every rule's closure: read each once
def imported_names(path: Path) -> tuple[str, ...]:
    """Every dotted name of this package that an import statement of `path` could load."""
    names = []
    for match in IMPORT.finditer(path.read_text("utf-8")):
        try:
            node = ast.parse(match.group(1)).body[0]
        except SyntaxError:  # a line of prose that begins like an import
            continue
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # `from triennial.figures import style` may name a module or an attribute
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return tuple(names)


@cache  # the rules' closures share most names: look each up on disk once
def module_files(name: str, source: Path) -> tuple[Path, ...]:
    """The files Python executes to import `name` from `source` (the package folder):
    each enclosing package's __init__.py, then the module; () if not a module there."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return ()
    files = []
    for depth in range(1, len(parts) + 1):
        base = source.joinpath(*parts[1:depth])
        if (base / "__init__.py").is_file():
            files.append(base / "__init__.py")
        elif base.with_suffix(".py").is_file():
            return (*files, base.with_suffix(".py"))  # what follows names something in it
        else:
            break  # an attribute of the package, not a module
    return tuple(files)


@cache
def code_inputs(script: str, source: str = "src/triennial") -> tuple[str, ...]:
    """The package's files that `script` runs, sorted, with the data files that ship
    beside those modules (the renderer's Lua filters, CSS and Typst header)."""
    source_dir = Path(source)
    seen: set[Path] = set()
    todo = [Path(script)]
    while todo:
        for name in imported_names(todo.pop()):
            for path in module_files(name, source_dir):
                if path not in seen:
                    seen.add(path)
                    todo.append(path)
    data = {
        p
        for folder in {m.parent for m in seen}
        for p in folder.iterdir()
        if p.is_file() and p.suffix not in (".py", ".pyc")
    }
    return tuple(sorted(str(p) for p in seen | data))
