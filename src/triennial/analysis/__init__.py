"""Analysis steps: prevalence, the extract's measures, bruising, trends, suppression."""
