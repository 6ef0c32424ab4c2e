# Reference values for the exact conditional rate-ratio interval (tests/test_trends.py).
# Run from the repository root:  Rscript tests/reference_r/rate_ratio.R
# Needs base R only. R's poisson.test for two samples conditions on the total: the first
# count is binomial, and binom.test's Clopper-Pearson interval for its share converts to
# an interval for the ratio of rates. Inputs: the contrasts of the trends chapter (as the
# pipeline wrote them to tests/expected/trend_contrasts.csv) and a few small-count cases.
contrasts <- read.csv("tests/expected/trend_contrasts.csv", stringsAsFactors = FALSE)
contrasts <- unique(contrasts[, c("count_a", "exposure_a", "count_b", "exposure_b")])
extra <- data.frame(count_a = c(0, 3, 7, 25), exposure_a = c(2, 1, 2.5, 4),
                    count_b = c(5, 1, 0, 30), exposure_b = c(3, 1, 1, 4))
cases <- rbind(cbind(contrasts, source = "trend_contrasts"), cbind(extra, source = "small counts"))
rows <- list()
for (alpha in c(0.05, 0.2)) {
  for (i in seq_len(nrow(cases))) {
    d <- cases[i, ]
    r <- poisson.test(c(d$count_a, d$count_b), c(d$exposure_a, d$exposure_b),
                      conf.level = 1 - alpha)
    rows[[length(rows) + 1]] <- data.frame(
      d, alpha = alpha, estimate = unname(r$estimate), ci_low = r$conf.int[1],
      ci_upp = r$conf.int[2])
  }
}
out <- do.call(rbind, rows)
write.csv(out, "tests/reference_r/rate_ratio.csv", row.names = FALSE)
writeLines(paste("R", getRversion()), "tests/reference_r/rate_ratio.version")
