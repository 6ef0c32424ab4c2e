"""What the tests' fork server loads before it forks a Snakemake (conftest.py, `forks`):
Snakemake, pandas (Snakemake imports it to compare the params of every job), jsonschema
(the Snakefile validates the config with it), and Snakemake's plugins, found once.

The server finds this module on a PYTHONPATH set while it starts; Snakemake and its jobs
get the environment as it was.
"""

import os
from pathlib import Path

from collector import collect_less

collect_less()  # before the imports below: each fork inherits it

import jsonschema  # noqa: E402, F401
import pandas  # noqa: E402, F401
from snakemake import cli  # noqa: E402

cli.get_argument_parser()  # collects each plugin registry (singletons): 0.4 CPU-s a start

_here = str(Path(__file__).resolve().parent)
_path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != _here]
if _path:
    os.environ["PYTHONPATH"] = os.pathsep.join(_path)
else:
    os.environ.pop("PYTHONPATH", None)
