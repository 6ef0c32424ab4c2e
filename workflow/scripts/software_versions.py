"""Rule software_versions: the versions behind this run, and checksums of its inputs."""

from triennial.pipeline.step import run_step, write_csv
from triennial.report.render import choose_engine
from triennial.report.software import checksums, software_versions


def main(inputs: list[str], engine: str, versions: str, sums: str) -> None:
    """Write the software table and the input checksum table."""
    write_csv(software_versions(choose_engine(engine)), versions)
    write_csv(checksums(sorted(inputs)), sums)


if __name__ == "__main__":
    run_step(
        lambda: main(
            list(snakemake.input.data),
            snakemake.params.engine,
            snakemake.output.versions,
            snakemake.output.checksums,
        ),
        snakemake.log[0],
    )
