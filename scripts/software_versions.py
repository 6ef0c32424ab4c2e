"""Rule software_versions: the versions behind this run, and checksums of its inputs."""

from triennial.provenance import checksums, software_versions
from triennial.render import choose_engine
from triennial.steps import run_step, write_csv


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
