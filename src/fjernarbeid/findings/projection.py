"""Projections of survey shares to numbers of workers.

The report turns shares into national numbers ("≈ 15 % ⇒ ≈ 200,000 workers") by multiplying with
the number of jobs that can in principle be done anywhere: 40-50 % of jobs in Norway (Ingelsrud
et al. 2022), i.e. 1.2-1.4 million. Both factors are uncertain, so a projection here is an
interval that carries both:

    low  = (lower confidence limit of the share) × (lower end of the base)
    high = (upper confidence limit of the share) × (upper end of the base)
    central = share × (midpoint of the base)

This is the conservative "product of intervals" (every combination of a share in its CI and a base in
its range lies inside); it is what the issue's worked example does: 15 % (95 % CI 12-18 %) of
1.15-1.43 million ⇒ 140,000-260,000. It does not pretend the base range is a confidence interval.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from fjernarbeid.refdata import employed_persons

INGELSRUD_LOW = 0.40
INGELSRUD_HIGH = 0.50
INGELSRUD_SOURCE = (
    "Ingelsrud et al. (2022), as cited in the report: 40-50 % of jobs in Norway can in principle be done "
    "from anywhere; applied to SSB register-based employed persons 15-74, Q4 2024 (2,863,316)"
)

# Groups with fewer respondents than this get a warning: their share's CI is too wide to say much.
SMALL_GROUP_WARNING = 50


@dataclass(frozen=True)
class ProjectionBase:
    """The number of workers a share applies to, as a range with its source."""

    name: str
    low: float
    high: float
    source: str

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


def default_base() -> ProjectionBase:
    """40-50 % of employed persons in Norway (SSB, Q4 2024): 1.15-1.43 million remote-capable jobs."""
    employed = employed_persons()["total"]
    return ProjectionBase(
        name="remote_capable_jobs",
        low=INGELSRUD_LOW * employed,
        high=INGELSRUD_HIGH * employed,
        source=INGELSRUD_SOURCE,
    )


@dataclass(frozen=True)
class Projection:
    share: float
    share_ci: tuple[float, float]
    base: ProjectionBase
    central: float
    low: float
    high: float
    n_unweighted: int | None = None
    warning: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["base"] = asdict(self.base)
        return d


def project(
    share: float,
    ci: tuple[float, float],
    base: ProjectionBase | None = None,
    *,
    n_unweighted: int | None = None,
) -> Projection:
    """Project a share (0-1) with its confidence interval onto a base of workers."""
    base = base or default_base()
    if not (0 <= ci[0] <= share <= ci[1] <= 1):
        raise ValueError(f"share {share} must lie within its interval {ci}, all in [0, 1]")
    warning = None
    if n_unweighted is not None and n_unweighted < SMALL_GROUP_WARNING:
        warning = (
            f"only {n_unweighted} respondents: the projection's interval is too wide to say much"
        )
    return Projection(
        share=share,
        share_ci=ci,
        base=base,
        central=share * base.mid,
        low=ci[0] * base.low,
        high=ci[1] * base.high,
        n_unweighted=n_unweighted,
        warning=warning,
    )
