"""Rule manifest: results/MANIFEST.sha256, one line per output, as `sha256sum` writes it."""

from pathlib import Path

from triennial.pipeline.step import log, run_step
from triennial.report.software import sha256


def main(files: list[str], manifest: str) -> None:
    """Hash every output, sorted by path, so `sha256sum -c` can check a copy."""
    lines = [f"{sha256(f)}  {f}" for f in sorted(files)]
    Path(manifest).write_text("\n".join(lines) + "\n", encoding="utf-8")
    log.info("%d files in %s", len(lines), manifest)


if __name__ == "__main__":
    run_step(lambda: main(list(snakemake.input.files), snakemake.output.manifest), snakemake.log[0])
