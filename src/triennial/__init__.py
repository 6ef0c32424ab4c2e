"""Statistics and data handling for the triennial analysis of serious case reviews.

No Snakemake in here: scripts/ adapt these functions to rules.
"""

__version__ = "0.1.0"
