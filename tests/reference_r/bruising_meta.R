# Reference values for the bruising meta-analysis (tests/test_glmm.py, tests/test_meta.py).
# Run from the repository root:  Rscript tests/reference_r/bruising_meta.R
# Needs R with metafor (>= 3.8), lme4 and metadat (Debian: r-cran-metafor, r-cran-lme4).
# Writes tests/reference_r/bruising_meta.csv (one row per dataset x pool x model x scale),
# bruising_subgroups.csv and bruising_meta.json. Prediction intervals are not compared:
# metafor's use z (t on k - 1 df with knha), the project's t on k - 2 df (Higgins et al. 2009).
suppressPackageStartupMessages({library(metafor); library(jsonlite)})

studies <- read.csv("data/raw/published/bruising/studies.csv", stringsAsFactors = FALSE)
count <- ifelse(is.na(studies$count), studies$count_min, studies$count)
names(count) <- studies$row_id
n <- studies$nobs; names(n) <- studies$row_id

# The pools as the project's criteria should choose them (tests check the pipeline agrees).
pools <- list(
  main = c("sugar_under_6m", "pierce_5m_or_less"),
  unverified = c("sugar_under_6m", "carpenter_under_6m_seed", "pierce_5m_or_less"),
  observations = c("sugar_under_6m", "kemp_premobile_obs", "pierce_5m_or_less"),
  all = c("sugar_under_6m", "carpenter_under_6m_seed", "kemp_premobile_obs", "pierce_5m_or_less")
)
data(dat.pritz1997, package = "metadat")
datasets <- c(
  lapply(pools, function(rows) list(xi = unname(count[rows]), ni = unname(n[rows]),
                                    rows = paste(rows, collapse = " "), source = "project")),
  list(pritz1997 = list(xi = dat.pritz1997$xi, ni = dat.pritz1997$ni, rows = "",
                        source = "metadat::dat.pritz1997"))
)

# metafor's defaults stop REML at a change of 1e-5 and Paule-Mandel's root search at
# about 1e-4; tightened so that the comparison is of the estimators, not of the tolerances.
tight <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
out <- list()
for (name in names(datasets)) {
  d <- datasets[[name]]
  g <- rma.glmm(measure = "PLO", xi = d$xi, ni = d$ni, method = "ML")
  out[[length(out) + 1]] <- data.frame(
    dataset = name, source = d$source, rows = d$rows, k = g$k, model = "GLMM", scale = "logit",
    hksj = FALSE, estimate = g$b[1], se = g$se, ci_low = g$ci.lb, ci_upp = g$ci.ub,
    tau2 = g$tau2, i2 = g$I2 / 100, h2 = g$H2)
  for (measure in c("PLO", "PFT")) {
    es <- escalc(measure = measure, xi = d$xi, ni = d$ni)
    for (method in c("DL", "REML", "PM")) {
      for (hksj in c(FALSE, TRUE)) {
        r <- rma(yi, vi, data = es, method = method, test = if (hksj) "knha" else "z",
                 control = tight)
        out[[length(out) + 1]] <- data.frame(
          dataset = name, source = d$source, rows = d$rows, k = r$k, model = method,
          scale = if (measure == "PLO") "logit" else "freeman_tukey", hksj = hksj,
          estimate = r$b[1], se = r$se, ci_low = r$ci.lb, ci_upp = r$ci.ub, tau2 = r$tau2,
          i2 = r$I2 / 100, h2 = r$H2)
      }
    }
  }
}
result <- do.call(rbind, out)
write.csv(result, "tests/reference_r/bruising_meta.csv", row.names = FALSE)

# Subgroup differences by meta-regression with a common tau2 (rma with mods), on the
# project's four pre-mobile studies plus two made-up ones so each group has two or more.
sub <- data.frame(xi = c(2, 18, 68, 4, 0, 12), ni = c(366, 1395, 1010, 101, 50, 40),
                  group = c("a", "a", "b", "b", "a", "b"))
rows <- list()
for (measure in c("PLO", "PFT")) {
  es <- escalc(measure = measure, xi = xi, ni = ni, data = sub)
  for (method in c("DL", "REML", "PM")) {
    for (hksj in c(FALSE, TRUE)) {
      r <- rma(yi, vi, mods = ~ group, data = es, method = method,
               test = if (hksj) "knha" else "z", control = tight)
      rows[[length(rows) + 1]] <- data.frame(
        scale = if (measure == "PLO") "logit" else "freeman_tukey", model = method,
        hksj = hksj, statistic = r$QM, df = r$QMdf[1],
        df2 = if (hksj) r$QMdf[2] else Inf, p = r$QMp, tau2 = r$tau2)
    }
  }
}
write.csv(do.call(rbind, rows), "tests/reference_r/bruising_subgroups.csv", row.names = FALSE)
writeLines(toJSON(list(subgroup_data = sub, metafor = as.character(packageVersion("metafor")),
                       lme4 = as.character(packageVersion("lme4"))), auto_unbox = TRUE,
                  pretty = TRUE), "tests/reference_r/bruising_meta.json")
