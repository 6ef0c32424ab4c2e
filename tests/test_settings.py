"""Every setting reaches every consumer: the workflow passes it on, and it changes the output.

The wiring test reads the rules: each key of the config schema must be passed to some
rule (itself or a section holding it). The behaviour tests call the rules' functions
with one setting changed and check that the outputs that should change do change.
"""

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from triennial.data.studies import read_bruising
from triennial.pipeline.bruising_implications import bruising_implications
from triennial.pipeline.bruising_pool import bruising_pool
from triennial.pipeline.bruising_rates import bruising_rates
from triennial.report.bruising import study_table

SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
CONFIG = yaml.safe_load((ROOT / "config/config.yaml").read_text())
STUDIES = str(ROOT / "data/raw/published/bruising/datapackage.json")


def leaf_keys(schema: dict, prefix: str = "") -> list[str]:
    """Dotted names of every setting (objects are followed; `$ref` inputs are leaves)."""
    keys = []
    for name, sub in schema.get("properties", {}).items():
        key = f"{prefix}{name}"
        keys += leaf_keys(sub, key + ".") if "properties" in sub else [key]
    return keys


def passed_to_rules() -> set[str]:
    """Every `config[...][...]` path the rules (and their input functions) read, with the
    config checks and the choice of the analysis's folder (pipeline/config.py)."""
    sources = [*(ROOT / "workflow/rules").glob("*.smk"), ROOT / "src/triennial/pipeline/config.py"]
    text = "\n".join(p.read_text() for p in sources)
    paths = re.findall(r"config((?:\[\"[a-z_0-9]+\"\])+)", text)
    return {".".join(re.findall(r"\"([a-z_0-9]+)\"", p)) for p in paths}


@pytest.mark.parametrize("key", leaf_keys(SCHEMA))
def test_every_setting_is_passed_to_a_rule(key):
    parts = key.split(".")
    prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    assert prefixes & passed_to_rules(), f"config key {key} reaches no rule"


def outputs(tmp_path, name: str, **files) -> SimpleNamespace:
    folder = tmp_path / name
    folder.mkdir()
    return SimpleNamespace(**{k: str(folder / v) for k, v in files.items()})


@pytest.fixture(scope="module")
def pooling():
    """The config's pooling with only what these tests read: the main pool, its logit
    scale and one inverse-variance method beside the GLMM (the full set takes longer)."""
    return CONFIG["bruising"]["pooling"] | {
        "sensitivity": {}, "scales": ["logit"], "tau2_methods": ["DL"]
    }  # fmt: skip


def test_interval_method_changes_the_bruising_per_study_intervals(tmp_path, pooling):
    tables, forests = {}, {}
    for method in ("wilson", "jeffreys"):
        rates = outputs(tmp_path, f"rates_{method}", base_rates="r.csv", audit="a.csv",
                        disagreements="d.csv")  # fmt: skip
        bruising_rates(STUDIES, rates, method, 0.05)
        tables[method] = pd.read_csv(rates.base_rates)
        pooled = outputs(tmp_path, f"pool_{method}", pooled="p.csv", leave_one_out="l.csv",
                         subgroups="s.csv", forest="f.svg", selection="c.csv")  # fmt: skip
        bruising_pool(STUDIES, pooled, pooling, method, 0.05)
        forests[method] = open(pooled.forest).read()
    wilson = tables["wilson"].query("method == 'wilson'").set_index("row_id")
    jeffreys = tables["jeffreys"].query("method == 'jeffreys'").set_index("row_id")
    assert "wilson" not in set(tables["jeffreys"]["method"])
    assert (wilson["ci_low"] != jeffreys["ci_low"]).all()
    assert forests["wilson"] != forests["jeffreys"]  # the forest plot's study intervals
    studies, _ = read_bruising(Path(STUDIES))
    shown = study_table(tables["jeffreys"], studies, "jeffreys")
    assert list(shown.columns[-2:]) == ["% (Jeffreys)", "% (Clopper–Pearson)"]


def test_main_pooled_result_reaches_the_implications(tmp_path, pooling):
    pooled = outputs(tmp_path, "pool", pooled="p.csv", leave_one_out="l.csv",
                     subgroups="s.csv", forest="f.svg", selection="c.csv")  # fmt: skip
    bruising_pool(STUDIES, pooled, pooling, "wilson", 0.05)
    rates_out = outputs(tmp_path, "rates", base_rates="r.csv", audit="a.csv",
                        disagreements="d.csv")  # fmt: skip
    bruising_rates(STUDIES, rates_out, "wilson", 0.05)
    rates = {}
    for method in ("GLMM", "DL"):
        out = outputs(tmp_path, f"implications_{method}", scenarios="s.csv", ppv="p.csv",
                      one_way="o.csv", monte_carlo="m.csv", tornado="t.svg",
                      monte_carlo_figure="mc.svg")  # fmt: skip
        config = CONFIG["bruising"] | {
            "monte_carlo": {"draws": 200, "seed": 1},
            "pooling": pooling | {"main": {"scale": "logit", "method": method}},
        }
        bruising_implications(pooled.pooled, rates_out.base_rates, STUDIES, out, config)
        scenarios = pd.read_csv(out.scenarios)
        rates[method] = scenarios.query("scenario == 'pooled estimate'")["base_rate"].iloc[0]
    table = pd.read_csv(pooled.pooled).query("pool == 'main' and scale == 'logit'")
    assert rates == table.set_index("method")["estimate"][["GLMM", "DL"]].to_dict()
    assert rates["GLMM"] != rates["DL"]
