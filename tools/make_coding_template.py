"""Write the coding template (an XLSX made from the codebook) for coders to fill in.

    python tools/make_coding_template.py [out.xlsx]

Default: coding-template.xlsx in the current folder. One column per field, drop-down
lists of the allowed codes, and a sheet of definitions (triennial.data.template).
"""

import sys
from pathlib import Path

from triennial.data.codebook import load_codebook
from triennial.data.template import write_template

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("coding-template.xlsx")
    codebook = load_codebook(ROOT / "data/raw/extracts/codebook.schema.json")
    print(write_template(codebook, out))
