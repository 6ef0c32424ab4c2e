"""The documentation names every config key and every input column."""

import json

import yaml
from conftest import PUBLISHED, ROOT


def config_keys(props: dict, prefix: str = "") -> list[str]:
    keys = []
    for name, spec in props.items():
        if spec.get("type") == "object" and "properties" in spec:  # not a free-form map
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
            if spec.get("type") == "object" and "properties" in spec:
                check(spec["properties"])

    check(schema["properties"])
    for key in config_keys(schema["properties"]):
        assert f"`{key}`" in readme, key


def test_every_input_column_is_documented():
    readme = (ROOT / "config/README.md").read_text()
    for folder in (PUBLISHED, PUBLISHED / "bruising", PUBLISHED / "trends"):
        package = json.loads((folder / "datapackage.json").read_text())
        for resource in package["resources"]:
            schema = resource["schema"]
            if isinstance(schema, str):
                schema = json.loads((folder / schema).read_text())
            for field in schema["fields"]:
                assert field.get("description"), field["name"]
                assert f"`{field['name']}`" in readme, (folder.name, field["name"])


def test_every_codebook_field_is_on_its_page():
    page = (ROOT / "data/raw/extracts/README.md").read_text()
    codebook = json.loads((ROOT / "data/raw/extracts/codebook.schema.json").read_text())
    for field in codebook["fields"]:
        assert field.get("description")
        assert f"`{field['name']}`" in page
