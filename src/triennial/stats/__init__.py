"""Statistics: pure functions on numbers and data frames. No file I/O, no Snakemake,
no other layer of this package."""
