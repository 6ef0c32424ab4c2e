"""Data: readers, schemas, the codebook, validation and cleaning of raw inputs."""
