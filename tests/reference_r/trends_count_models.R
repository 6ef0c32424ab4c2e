# Reference values for the trend count models (tests/test_trends_reference.py).
# Run from the repository root:  Rscript tests/reference_r/trends_count_models.R
# Input: tests/reference_r/trends_input.csv (the model rows of the published series,
# written from triennial.data.series.model_input; a test checks it still matches).
# Output: tests/reference_r/trends_count_models.csv, one row per series x model x term.
suppressPackageStartupMessages(library(MASS))
rows <- read.csv("tests/reference_r/trends_input.csv", stringsAsFactors = FALSE)
out <- list()
add <- function(series, model, fit, extra = list()) {
  s <- summary(fit)
  cf <- coef(s)
  for (term in rownames(cf)) {
    out[[length(out) + 1]] <<- data.frame(
      series = series, model = model, term = term,
      estimate = cf[term, 1], se = cf[term, 2],
      dispersion = if (is.null(extra$dispersion)) NA else extra$dispersion,
      theta = if (is.null(extra$theta)) NA else extra$theta,
      stringsAsFactors = FALSE
    )
  }
}
for (series in unique(rows$series)) {
  d <- rows[rows$series == series, ]
  d <- d[order(d$midpoint), ]
  d$time <- d$midpoint - mean(d$midpoint)
  d$step <- as.numeric(d$system == "new")
  both <- length(unique(d$system)) == 2
  f <- if (both) count ~ time + step + offset(log(years)) else count ~ time + offset(log(years))
  tight <- glm.control(epsilon = 1e-14, maxit = 100)
  qp <- glm(f, family = quasipoisson, data = d, control = tight)
  add(series, "quasipoisson", qp, list(dispersion = summary(qp)$dispersion))
  po <- glm(f, family = poisson, data = d, control = tight)
  add(series, "poisson", po)
  nb <- tryCatch(
    suppressWarnings(glm.nb(f, data = d, control = glm.control(maxit = 200, epsilon = 1e-12))),
    error = function(e) NULL
  )
  if (!is.null(nb)) add(series, "negbin", nb, list(theta = nb$theta))
}
# The share of serious harm among deaths + serious harm, by year: quasi-binomial.
deaths <- rows[rows$series == "notifications_deaths", ]
harm <- rows[rows$series == "notifications_serious_harm", ]
both <- merge(harm, deaths, by = "period_label", suffixes = c("_harm", "_deaths"))
both$time <- both$midpoint_harm - mean(both$midpoint_harm)
qb <- glm(cbind(count_harm, count_deaths) ~ time, family = quasibinomial, data = both,
  control = glm.control(epsilon = 1e-14, maxit = 100))
add("harm_share", "quasibinomial", qb, list(dispersion = summary(qb)$dispersion))
write.csv(do.call(rbind, out), "tests/reference_r/trends_count_models.csv", row.names = FALSE)
