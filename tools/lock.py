"""Write the pinned lock files, one per set-up layer, each from a clean virtual environment.

    python3 tools/lock.py                # every layer, about 10 minutes
    python3 tools/lock.py runtime test   # only these

The layers are pyproject.toml's `dependencies` ("runtime") and each of its extras ("test",
"notebooks"). For each: a fresh venv in a scratch folder, `pip install -e '.[LAYER]'`, then
`pip freeze --exclude-editable` into requirements/LAYER.lock. Run it with Python 3.11 on
Linux x86_64 whenever a pin in pyproject.toml changes, then `pytest tests/test_environment.py`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Set-up layer '{layer}': {what}, every package pinned
# (Python 3.11, Linux x86_64). Written by tools/lock.py, which runs, in a fresh venv:
#   pip install -e '{target}' && pip freeze --exclude-editable
# Do not edit by hand: change pyproject.toml, then rerun tools/lock.py.
"""


def layers() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return ["runtime", *project["optional-dependencies"]]


def lock(layer: str) -> None:
    target = "." if layer == "runtime" else f".[{layer}]"
    what = "the pipeline's run-time packages" + ("" if layer == "runtime" else f" plus '{layer}'")
    with tempfile.TemporaryDirectory() as tmp:
        venv.create(tmp, with_pip=True)
        pip = [str(Path(tmp) / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "--quiet", "-e", target], cwd=ROOT, check=True)
        frozen = subprocess.run(
            [*pip, "freeze", "--exclude-editable"], check=True, capture_output=True, text=True
        ).stdout
    path = ROOT / "requirements" / f"{layer}.lock"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HEADER.format(layer=layer, what=what, target=target) + frozen)
    print(f"wrote {path.relative_to(ROOT)} ({len(frozen.splitlines())} packages)")


def main() -> None:
    known = layers()
    wanted = sys.argv[1:] or known
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        sys.exit(f"unknown layer {', '.join(unknown)}; the layers are {', '.join(known)}")
    for layer in wanted:
        lock(layer)


if __name__ == "__main__":
    main()
