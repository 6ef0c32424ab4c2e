# Reference values for the national yardstick of learning themes (tests/test_themes.py).
# Run from this folder:  Rscript fisher_yardstick.R  (writes fisher_yardstick.csv)
#
# 1. Fisher's exact test (R's fisher.test, two-sided) of a partnership's x of n against
#    a national count c of m, as the 2 x 2 table [[x, n - x], [c, m - c]].
# 2. For a national percentage p printed to whole per cent of a base m, the counts it
#    allows (|100 c / m - p| <= 0.5); the smallest and largest p-value over them and over
#    both bases; and the Wilson interval (prop.test without continuity correction)
#    from the lower limit at the smallest count to the upper limit at the largest.
options(digits = 15)

single <- data.frame(
  x = c(22, 33, 25, 3, 0, 40),
  n = c(40, 40, 40, 12, 8, 40),
  c = c(218, 267, 205, 218, 100, 200),
  m = c(330, 330, 330, 330, 485, 485)
)
single$p <- mapply(function(x, n, c, m) {
  fisher.test(matrix(c(x, c, n - x, m - c), 2))$p.value
}, single$x, single$n, single$c, single$m)

counts <- function(p, m) {
  seq(ceiling((p - 0.5) * m / 100 - 1e-9), floor((p + 0.5) * m / 100 + 1e-9))
}
ranged <- data.frame(x = c(22, 33, 25, 3), n = c(40, 40, 40, 12), percent = c(66, 81, 62, 66))
bases <- c(330, 485)
for (i in seq_len(nrow(ranged))) {
  ps <- c()
  lows <- c()
  upps <- c()
  for (m in bases) {
    cs <- counts(ranged$percent[i], m)
    for (c in cs) {
      ps <- c(ps, fisher.test(matrix(c(ranged$x[i], c, ranged$n[i] - ranged$x[i], m - c), 2))$p.value)
    }
    lows <- c(lows, prop.test(min(cs), m, correct = FALSE)$conf.int[1])
    upps <- c(upps, prop.test(max(cs), m, correct = FALSE)$conf.int[2])
  }
  ranged$p_min[i] <- min(ps)
  ranged$p_max[i] <- max(ps)
  ranged$national_ci_low[i] <- min(lows)
  ranged$national_ci_upp[i] <- max(upps)
}

out <- rbind(
  data.frame(kind = "single", x = single$x, n = single$n, c = single$c, m = single$m,
             percent = NA, p_min = single$p, p_max = single$p, national_ci_low = NA,
             national_ci_upp = NA),
  data.frame(kind = "ranged", x = ranged$x, n = ranged$n, c = NA, m = NA,
             percent = ranged$percent, p_min = ranged$p_min, p_max = ranged$p_max,
             national_ci_low = ranged$national_ci_low, national_ci_upp = ranged$national_ci_upp)
)
write.csv(out, "fisher_yardstick.csv", row.names = FALSE, na = "")
