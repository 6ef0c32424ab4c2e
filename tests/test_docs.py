"""The documentation names every config key and every input column."""

import json

import yaml
from conftest import PUBLISHED, ROOT


def config_keys(props: dict, prefix: str = "") -> list[str]:
    keys = []
    for name, spec in props.items():
        if spec.get("type") == "object":
            keys += config_keys(spec["properties"], f"{prefix}{name}.")
        else:
            keys.append(prefix + name)
    return keys


def test_every_config_key_has_a_description_default_and_documentation():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    readme = (ROOT / "config/README.md").read_text()

    def check(props: dict) -> None:
        for name, spec in props.items():
            assert spec.get("description"), name
            assert "default" in spec, name
            if spec.get("type") == "object":
                check(spec["properties"])

    check(schema["properties"])
    for key in config_keys(schema["properties"]):
        assert f"`{key}`" in readme, key


def test_every_input_column_is_documented():
    readme = (ROOT / "config/README.md").read_text()
    package = json.loads((PUBLISHED / "datapackage.json").read_text())
    shared = json.loads((PUBLISHED / "published_table.schema.json").read_text())
    for resource in package["resources"]:
        schema = resource["schema"] if isinstance(resource["schema"], dict) else shared
        for field in schema["fields"]:
            assert field.get("description"), field["name"]
            assert f"`{field['name']}`" in readme, field["name"]
