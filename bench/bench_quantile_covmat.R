# R side of bench/bench_quantile_covmat.py: svyquantile and svyby(covmat = TRUE) on the same CSV.
#
#     Rscript bench/bench_quantile_covmat.R DATA.csv OUT.json REPEATS
#
# Design: svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE). Times (seconds, inside R,
# reading the CSV excluded) and the numbers, written as JSON for the Python side to compare.
suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[1])
repeats <- as.integer(args[3])
d <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = data)
timed <- function(f) {
  times <- numeric(repeats)
  for (i in seq_len(repeats)) {
    start <- proc.time()[["elapsed"]]
    value <- f()
    times[i] <- proc.time()[["elapsed"]] - start
  }
  list(value = value, times = times)
}
q <- timed(function() svyquantile(~y, d, c(0.25, 0.5, 0.75), ci = TRUE)[[1]])
by <- timed(function() svyby(~y, ~g, d, svymean, covmat = TRUE))
write_json(list(
  quantile = list(times = q$times, estimate = unname(q$value[, 1]), ci_low = unname(q$value[, 2]),
                  ci_high = unname(q$value[, 3]), se = unname(q$value[, 4])),
  covmat = list(times = by$times, estimate = unname(coef(by$value)), vcov = unname(vcov(by$value)))
), args[2], digits = NA, auto_unbox = TRUE)
