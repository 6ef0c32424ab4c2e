"""Rule software_versions: the versions behind this run, and checksums of its inputs."""

from triennial.pipeline.software import record_software
from triennial.pipeline.step import run_step

if __name__ == "__main__":
    run_step(
        snakemake.log[0],
        record_software,
        inputs=list(snakemake.input.data),
        engine=snakemake.params.engine,
        versions=snakemake.output.versions,
        sums=snakemake.output.checksums,
    )
