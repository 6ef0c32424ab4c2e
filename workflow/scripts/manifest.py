"""Rule manifest: results/<analysis>/MANIFEST.sha256, one line per output, as sha256sum writes."""

from triennial.pipeline.manifest import manifest
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        manifest,
        files=list(snakemake.input.files),
        path=snakemake.output.manifest,
    )
