"""Quarto's ``var``, ``include`` (and ``pagebreak``) shortcodes, expanded before Pandoc runs.

Quarto expands these textually (includes before anything else), so the fallback does the same:
the result is one Markdown string as Quarto would have handed it to Pandoc.  Where Quarto prints
``?var:key`` for an unknown variable, we raise instead: a silent placeholder in a published
report is worse than a failed build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

# {{< name args >}}, or Quarto's escaped form {{{< name args >}}}, which renders literally.
_SHORTCODE = re.compile(r"\{\{(\{)?<\s*(\w+)\s*(.*?)\s*>\}\}(\})?")
# An attribute block still open before a position: {#fig-x fig-alt="... or {.callout title="...
_OPEN_ATTRIBUTES = re.compile(r"\{[#.][^}]*$")
PROVENANCE = "_provenance"  # the variables' pop-up texts, by dotted key (see report.numbers)


class ShortcodeError(ValueError):
    """A shortcode that cannot be expanded (unknown variable, missing include, cycle)."""


# libyaml's parser where PyYAML has it: the report's variables are thousands of lines, which
# the pure-Python parser takes seconds over. Both build the same safe types.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> Any:
    """YAML text as `yaml.safe_load` reads it."""
    return yaml.load(text, Loader=_LOADER)  # a safe loader, C or Python


def load_variables(project_dir: Path) -> dict[str, Any]:
    """Read ``_variables.yml`` from the project root; an absent file means no variables."""
    path = project_dir / "_variables.yml"
    if not path.exists():
        return {}
    return read_yaml(path.read_text(encoding="utf-8")) or {}


def lookup(variables: dict[str, Any], key: str) -> str:
    """Resolve a dotted key (``cohort.deaths.share``) to its text; KeyError if absent."""
    value: Any = variables
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(key)
        value = value[part]
    if isinstance(value, dict | list) or value is None:
        raise KeyError(key)  # Quarto inserts only scalars
    if isinstance(value, bool):
        return "true" if value else "false"  # YAML spelling, as Quarto prints it
    return str(value)


def _shown(path: Path, project_dir: Path) -> str:
    """Path as the author knows it (relative to the project), not the scratch copy's."""
    try:
        return str(path.relative_to(project_dir.resolve()))
    except ValueError:
        return str(path)


def in_prose(text: str, start: int) -> bool:
    """Whether position `start` is in prose: not in the front matter or an attribute block."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end == -1 or start < end:
            return False
    line = text[text.rfind("\n", 0, start) + 1 : start]
    return not _OPEN_ATTRIBUTES.search(_SHORTCODE.sub("x", line))


def with_provenance(value: str, tip: str, number: int) -> str:
    """A number with its provenance pop-up: focusable, described by the pop-up (Pandoc spans;
    a Lua filter drops the pop-up from every output but HTML)."""
    tip_id = f"prov-{number}"
    return (
        f'[{value}[{tip}]{{.prov-tip #{tip_id} role="tooltip"}}]'
        f'{{.prov tabindex="0" aria-describedby="{tip_id}"}}'
    )


def expand(
    path: Path,
    project_dir: Path,
    variables: dict[str, Any],
    _stack: tuple[Path, ...] = (),
    _count: list[int] | None = None,
) -> str:
    """Return the text of ``path`` with every shortcode expanded; others are an error.

    Include paths are relative to the main document, even inside an included file (or to the
    project root if they start with ``/``), as in Quarto; included files may use shortcodes.
    A variable with a pop-up text under ``_provenance`` is wrapped with it where it stands in
    prose.
    """
    _count = [0] if _count is None else _count
    tips = variables.get(PROVENANCE) or {}
    path = path.resolve()
    if path in _stack:
        chain = " -> ".join(_shown(p, project_dir) for p in (*_stack, path))
        raise ShortcodeError(f"include cycle: {chain}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        where = f" (included from {_shown(_stack[-1], project_dir)})" if _stack else ""
        message = f"include file not found: {_shown(path, project_dir)}{where}"
        raise ShortcodeError(message) from None

    def replace(match: re.Match[str]) -> str:
        escaped_open, name, arg, escaped_close = match.groups()
        if escaped_open and escaped_close:
            return match.group(0)[1:-1]  # {{{< x >}}} -> literal {{< x >}}
        line = text.count("\n", 0, match.start()) + 1
        where = f"{_shown(path, project_dir)}:{line}"
        if name == "var":
            try:
                value = lookup(variables, arg)
            except KeyError:
                raise ShortcodeError(
                    f"unknown variable {arg!r} in {{{{< var {arg} >}}}} at {where} "
                    "(no such scalar in _variables.yml)"
                ) from None
            if arg not in tips or not in_prose(text, match.start()):
                return value
            _count[0] += 1
            return with_provenance(value, tips[arg], _count[0])
        if name == "include":
            target = arg.strip("\"'")
            # Quarto resolves every include against the main document, not the including file.
            main_dir = (_stack[0] if _stack else path).parent
            base = project_dir if target.startswith("/") else main_dir
            included = expand(
                base / target.lstrip("/"), project_dir, variables, (*_stack, path), _count
            )
            return included.rstrip("\n")
        if name == "pagebreak" and not arg:
            # A raw Typst block: Pandoc drops it from the HTML, as Quarto does on screen.
            return "\n```{=typst}\n#pagebreak()\n```\n"
        raise ShortcodeError(f"unsupported shortcode {name!r} at {where}")

    return _SHORTCODE.sub(replace, text)
