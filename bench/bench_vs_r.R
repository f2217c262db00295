# The R side of bench/bench_vs_r.py: the same weighting and estimates with R's survey package.
#
#   Rscript --vanilla bench/bench_vs_r.R DATA.csv TARGETS.csv MEANS PROPORTIONS REPEATS OUT_PREFIX
#
# DATA.csv: one row per respondent with q207 (sex), age_group and the analysis variables, "not sure"
# and skipped answers empty; TARGETS.csv: q207, age_group, Freq (SSB's population 25-60, 1 Jan 2025).
# MEANS and PROPORTIONS: comma-separated variable names. The design (every row its own PSU, weight
# 1), postStratify on sex x age group, then svymean(~x, na.rm = TRUE) for every MEANS variable and
# svymean(~factor(x), na.rm = TRUE) for every PROPORTIONS variable, REPEATS times, each timed.
# Writes OUT_PREFIX-estimates.csv (variable, category, estimate, se; of the last repeat) and
# OUT_PREFIX-timings.csv (repeat, weighting_s, estimates_s). Reading the CSV is not timed.

suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 6) stop("usage: bench_vs_r.R DATA.csv TARGETS.csv MEANS PROPORTIONS REPEATS OUT_PREFIX")
d <- read.csv(args[1])
population <- read.csv(args[2])
means <- strsplit(args[3], ",")[[1]]
proportions <- strsplit(args[4], ",")[[1]]
repeats <- as.integer(args[5])
out <- args[6]
d$one <- 1

elapsed <- function() proc.time()[["elapsed"]]
timings <- data.frame()
for (r in seq_len(repeats)) {
  t0 <- elapsed()
  design <- svydesign(ids = ~1, weights = ~one, data = d)
  weighted <- postStratify(design, ~q207 + age_group, population)
  t1 <- elapsed()
  rows <- list()
  for (v in means) {
    m <- svymean(as.formula(paste0("~", v)), weighted, na.rm = TRUE)
    rows[[length(rows) + 1]] <- data.frame(variable = v, category = "", estimate = unname(coef(m)),
                                           se = unname(SE(m)))
  }
  for (v in proportions) {
    m <- svymean(as.formula(paste0("~factor(", v, ")")), weighted, na.rm = TRUE)
    rows[[length(rows) + 1]] <- data.frame(variable = v, category = sub(paste0("factor(", v, ")"), "", names(coef(m)),
                                                                         fixed = TRUE),
                                           estimate = unname(coef(m)), se = unname(SE(m)))
  }
  t2 <- elapsed()
  timings <- rbind(timings, data.frame(`repeat` = r, weighting_s = t1 - t0, estimates_s = t2 - t1, check.names = FALSE))
}
write.csv(do.call(rbind, rows), paste0(out, "-estimates.csv"), row.names = FALSE)
write.csv(timings, paste0(out, "-timings.csv"), row.names = FALSE)
message(sprintf("R %s, survey %s", paste(R.version$major, R.version$minor, sep = "."), packageVersion("survey")))
