# Reference values for the joinpoint model with the reform step (tests/test_trends_reference.py).
# Run from the repository root:  Rscript tests/reference_r/trends_joinpoint.R
# The model, for all serious incident notifications:
#   log E[count] = log(years) + b0 + b1 time + d (midpoint - tau)+ + g new,
# with one join tau at a continuous position, fitted two independent ways:
#   "profile": tau minimising the Poisson deviance (a 0.001-year grid over the positions
#              leaving 3 observations in each segment, then optimize()); quasi-Poisson
#              dispersion on n - 5 df (the join counts as a parameter, as in Joinpoint);
#   "segmented": Muggeo's segmented() on the Poisson glm with the step (R package segmented).
# and without the step (the model the project used before; segmented's break then sits at
# the reform). Output: tests/reference_r/trends_joinpoint.csv.
suppressPackageStartupMessages(library(segmented))
rows <- read.csv("tests/reference_r/trends_input.csv", stringsAsFactors = FALSE)
d <- rows[rows$series == "notifications_total", ]
d <- d[order(d$midpoint), ]
centre <- mean(d$midpoint)
d$time <- d$midpoint - centre
d$new <- as.numeric(d$system == "new")
n <- nrow(d)
tight <- glm.control(epsilon = 1e-14, maxit = 100)
x <- d$midpoint
low <- x[3]
high <- x[n - 2]
out <- list()
record <- function(method, step, tau, fit) {
  b <- coef(fit)
  slope1 <- b[["time"]]
  slope2 <- slope1 + b[[grep("hinge|U1", names(b), value = TRUE)[1]]]
  pearson <- sum(residuals(fit, type = "pearson")^2)
  out[[length(out) + 1]] <<- data.frame(
    method = method, step = step, join = tau,
    apc1 = 100 * (exp(slope1) - 1), apc2 = 100 * (exp(slope2) - 1),
    step_irr = if (step) exp(b[["new"]]) else NA,
    # df: n minus const, time, change of slope, step (if any) and the join itself
    deviance = deviance(fit), dispersion = pearson / (n - 4 - step)
  )
}
for (step in c(TRUE, FALSE)) {
  f <- if (step) count ~ time + new + hinge + offset(log(years)) else
    count ~ time + hinge + offset(log(years))
  dev <- function(tau) {
    d$hinge <- pmax(d$midpoint - tau, 0)
    deviance(glm(f, family = poisson, data = d, control = tight))
  }
  grid <- seq(low, high, by = 0.001)
  best <- grid[which.min(sapply(grid, dev))]
  tau <- optimize(dev, c(max(low, best - 0.002), min(high, best + 0.002)), tol = 1e-10)$minimum
  d$hinge <- pmax(d$midpoint - tau, 0)
  record("profile", step, tau, glm(f, family = poisson, data = d, control = tight))
  g <- if (step) count ~ time + new + offset(log(years)) else count ~ time + offset(log(years))
  base <- glm(g, family = poisson, data = d, control = tight)
  seg <- segmented(base, seg.Z = ~time, psi = tau - centre,
                   control = seg.control(tol = 1e-10, it.max = 100))
  psi <- seg$psi[1, "Est."] + centre
  record("segmented", step, psi, seg)
}
write.csv(do.call(rbind, out), "tests/reference_r/trends_joinpoint.csv", row.names = FALSE)
