# Reference p-values for the exact Freeman-Halton test (tests/test_subgroups.py).
# Run from the repository root:  Rscript tests/reference_r/association.R
# Reads tests/reference_r/freeman_halton_tables.csv (2 x k tables: the project's small
# subgroup tables and a few made up; n = first row, N = column totals) and writes
# tests/reference_r/freeman_halton.csv with R's exact fisher.test p-value of each.
tables <- read.csv("tests/reference_r/freeman_halton_tables.csv", stringsAsFactors = FALSE)
p <- sapply(seq_len(nrow(tables)), function(i) {
  n <- as.integer(strsplit(tables$n[i], " ")[[1]])
  N <- as.integer(strsplit(tables$N[i], " ")[[1]])
  fisher.test(rbind(n, N - n), workspace = 2e8)$p.value
})
write.csv(data.frame(tables, p_value = sprintf("%.17g", p)),
          "tests/reference_r/freeman_halton.csv", row.names = FALSE)
