"""The fallback engine: Quarto's behaviour for our feature subset, emulated with Pandoc + Typst.

Steps, all inside a scratch copy of the project: expand var/include shortcodes (shortcodes.py),
merge metadata the way Quarto does (_quarto.yml, then the document), run Pandoc with the
crossref and callout Lua filters before --citeproc, and compile the Typst output to PDF with
the ``typst`` package at a fixed timestamp so that reruns give identical bytes.
"""

from __future__ import annotations

import functools
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


# Pandoc's run-time system collects garbage often with its default allocation area; with
# a 128 MB one (in 4 MB chunks) it reads and writes this report about a quarter faster, to
# the same bytes. Used where the binary accepts run-time options (pypandoc-binary's does).
_RUNTIME_OPTIONS = ["+RTS", "-A128m", "-n4m", "-RTS"]


@functools.cache
def _pandoc() -> tuple[str, ...]:
    """The Pandoc command, with the run-time options if this Pandoc takes them."""
    pandoc = pypandoc.get_pandoc_path()
    probe = subprocess.run(
        [pandoc, *_RUNTIME_OPTIONS, "--version"], capture_output=True, text=True, check=False
    )
    if probe.returncode == 0 and not probe.stderr.strip():
        return (pandoc, *_RUNTIME_OPTIONS)
    return (pandoc,)


def _start_pandoc(args: list[str], cwd: Path) -> subprocess.Popen:
    """Start Pandoc; any warning will be an error (a missing citation or image must not
    pass quietly)."""
    cmd = [*_pandoc(), "--fail-if-warnings", *args]
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish_pandoc(proc: subprocess.Popen) -> None:
    """Wait for Pandoc; raise with its diagnostics if it failed or warned."""
    _, stderr = proc.communicate()
    if proc.returncode != 0 or stderr.strip():
        raise PandocError(f"pandoc failed ({proc.returncode}): {stderr.strip()}")


def _run_pandoc(args: list[str], cwd: Path) -> None:
    _finish_pandoc(_start_pandoc(args, cwd))


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


def _writer_args(fmt: str, project_meta: dict, doc_meta: dict, work: Path) -> list[str]:
    """Pandoc's arguments to write one output ('html' or 'typst') from the document tree;
    writes that format's metadata file into `work`."""
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
    return args


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
    writers = {}  # Pandoc writing each output, side by side (the rule has two threads)
    try:
        for fmt, output in (("html", out_html), ("typst", typ)):
            args = _writer_args(fmt, project_meta, doc_meta, work)
            writers[fmt] = _start_pandoc([*args, f"--output={output}", str(tree)], cwd=work)
        _finish_pandoc(writers["typst"])
        typst.compile(  # while Pandoc still writes the HTML
            typ,
            output=out_pdf,
            root=work,
            ignore_system_fonts=True,  # only the fonts bundled with typst: same PDF everywhere
            timestamp=epoch,
        )
        _finish_pandoc(writers["html"])
    except typst.TypstError as exc:
        raise PandocError(f"typst failed: {exc.message}\n{exc.diagnostic}") from exc
    finally:
        for writer in writers.values():
            if writer.poll() is None:  # stopped by an error: no Pandoc left running
                writer.kill()
                writer.wait()
