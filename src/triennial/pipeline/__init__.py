"""What each Snakemake rule calls: reads its inputs, runs the analysis, writes outputs."""
