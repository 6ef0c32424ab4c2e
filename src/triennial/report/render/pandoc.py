"""The fallback engine: Quarto's behaviour for our feature subset, emulated with Pandoc + Typst.

Steps, all inside a scratch copy of the project: expand var/include shortcodes (shortcodes.py),
merge metadata the way Quarto does (_quarto.yml, then the document), run Pandoc with the
crossref and callout Lua filters before --citeproc, and compile the Typst output to PDF with
the ``typst`` package at a fixed timestamp so that reruns give identical bytes.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pypandoc
import typst
import yaml

from triennial.report.render.shortcodes import expand, load_variables, read_yaml

HERE = Path(__file__).parent  # the Lua filters, CSS and Typst header ship next to this module

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


class PandocError(RuntimeError):
    """Pandoc or Typst failed; the message carries their diagnostics."""


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a ``---`` YAML block off the top of a document."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return read_yaml(match.group(1)) or {}, text[match.end() :]


def merge_metadata(project: dict[str, Any], document: dict[str, Any], fmt: str) -> dict[str, Any]:
    """Quarto's precedence, simplified to one level: _quarto.yml, its ``format.<fmt>`` options,
    the document's front matter, its ``format.<fmt>`` options; later layers win."""
    merged: dict[str, Any] = {}
    for layer in (project, document):
        merged.update({k: v for k, v in layer.items() if k not in ("project", "format")})
        options = (layer.get("format") or {}) if isinstance(layer.get("format"), dict) else {}
        if isinstance(options.get(fmt), dict):
            merged.update(options[fmt])
    return merged


def _run_pandoc(args: list[str], cwd: Path) -> None:
    """Run Pandoc; any warning is an error (a missing citation or image must not pass quietly)."""
    cmd = [pypandoc.get_pandoc_path(), "--fail-if-warnings", *args]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or proc.stderr.strip():
        raise PandocError(f"pandoc failed ({proc.returncode}): {proc.stderr.strip()}")


def _common_args(meta: dict[str, Any], meta_file: Path) -> list[str]:
    """Arguments shared by both outputs; filter order matters (crossref before citeproc)."""
    args = [
        "--from=json",
        "--standalone",
        f"--metadata-file={meta_file}",
        f"--lua-filter={HERE / 'crossref.lua'}",
        f"--lua-filter={HERE / 'callouts.lua'}",
        f"--lua-filter={HERE / 'provenance.lua'}",
        f"--lua-filter={HERE / 'tables.lua'}",
    ]
    if meta.get("bibliography"):
        args.append("--citeproc")
    if meta.get("number-sections"):
        args.append("--number-sections")
    if meta.get("toc"):
        args += ["--toc", f"--toc-depth={meta.get('toc-depth', 3)}"]
    return args


def _metadata_for(project_meta: dict, doc_meta: dict, fmt: str) -> dict[str, Any]:
    """Merged metadata plus the defaults our emulation relies on."""
    meta = merge_metadata(project_meta, doc_meta, fmt)
    if fmt == "html":
        meta.setdefault("toc-title", "Contents")
        meta["document-css"] = True  # keep Pandoc's base stylesheet alongside report.css
    else:
        # Typst numbers headings itself; crossref.lua must agree on whether they are numbered.
        numbered = bool(meta.get("number-sections")) or "section-numbering" in meta
        meta["number-sections"] = numbered
        if numbered:
            meta.setdefault("section-numbering", "1.1")
        else:
            meta.pop("section-numbering", None)
        meta.setdefault("papersize", "a4")
        meta.setdefault("page-numbering", "1")
    return meta


def render(work: Path, main: str, out_html: Path, out_pdf: Path, epoch: int) -> None:
    """Render ``work/main`` (a scratch copy of the project) to ``out_html`` and ``out_pdf``.

    ``epoch`` is the PDF's creation date (seconds since 1970, UTC).
    """
    project_meta = {}
    # Quarto's order: the project, then the directory's _metadata.yml, then the document.
    for name in ("_quarto.yml", "_metadata.yml"):
        if (work / name).exists():
            project_meta |= read_yaml((work / name).read_text(encoding="utf-8")) or {}
    text = expand(work / main, work, load_variables(work))
    doc_meta, body = split_front_matter(text)
    source = work / f".{Path(main).stem}.expanded.md"
    source.write_text(body, encoding="utf-8")
    # Pandoc's Markdown reader takes most of Pandoc's time: read once, write both outputs
    # from the document tree (JSON keeps it whole).
    tree = work / f".{Path(main).stem}.json"
    _run_pandoc(["--from=markdown", "--to=json", f"--output={tree}", str(source)], cwd=work)

    typ = work / f".{Path(main).stem}.typ"  # inside the Typst root, so figure paths resolve
    for fmt, output in (("html", out_html), ("typst", typ)):
        meta = _metadata_for(project_meta, doc_meta, fmt)
        css = meta.pop("css", None) or []  # HTML only: the project's own CSS goes after ours
        meta_file = work / f".{fmt}.metadata.yml"
        meta_file.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), "utf-8")
        args = _common_args(meta, meta_file)
        if fmt == "html":
            args += [
                "--to=html5",
                "--embed-resources",
                "--mathml",
                "--section-divs",
                f"--css={HERE / 'report.css'}",
                *(f"--css={c}" for c in ([css] if isinstance(css, str) else css)),
            ]
        else:
            # -citations: print citeproc's text rather than Typst's own #cite/#bibliography.
            args += ["--to=typst-citations"]
            args += [f"--include-in-header={HERE / name}" for name in ("layout.typ", "header.typ")]
        _run_pandoc([*args, f"--output={output}", str(tree)], cwd=work)

    try:
        typst.compile(
            typ,
            output=out_pdf,
            root=work,
            ignore_system_fonts=True,  # only the fonts bundled with typst: same PDF everywhere
            timestamp=epoch,
        )
    except typst.TypstError as exc:
        raise PandocError(f"typst failed: {exc.message}\n{exc.diagnostic}") from exc
