"""`scipy.stats`: the densities and distribution functions of `norm`, `t`, `gamma`, `beta` and
`poisson`, as elementwise rules with respect to the value and every parameter.

A call such as `norm.logpdf(x, loc, scale)` resolves to the bound method `scipy.stats.norm.logpdf`
(bound methods of one object compare equal, so the table finds it). Each rule's parameters are
SciPy's names and defaults, so `norm.logpdf(x, scale=s)` binds as SciPy binds it. With
z = (x - loc) / scale (see `stats_ops`): d/dloc = -d/dx, and d/dscale is -(1 + (x - loc) d/dx) /
scale for a log density, -pdf z for a distribution function. `poisson`'s count `k` and shift `loc`
are integers: only the rate `mu` has a derivative.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from .. import Domain, partials
from .samples import COUNT, PROBABILITY, SMALL_LOC, WIDE_SCALE
from .special_ops import betainc_da, betainc_db, gammainc_da
from .stats_ops import t_cdf_ddf, t_logpdf_ddf

R, P, U, A1 = Domain.REAL, Domain.POSITIVE, Domain.UNIT, Domain.ABOVE_ONE

# -- norm -----------------------------------------------------------------------------------------


@partials(stats.norm.logpdf, domains=(R, R, P))
def norm_logpdf(x, loc=0.0, scale=1.0):
    return (
        -(x - loc) / scale**2,
        (x - loc) / scale**2,
        ((x - loc) ** 2 / scale**2 - 1) / scale,
    )


@partials(stats.norm.pdf, domains=(R, R, P))
def norm_pdf(x, loc=0.0, scale=1.0, *, y):
    return (
        -y * (x - loc) / scale**2,
        y * (x - loc) / scale**2,
        y * ((x - loc) ** 2 / scale**2 - 1) / scale,
    )


@partials(stats.norm.cdf, domains=(R, R, P))
def norm_cdf(x, loc=0.0, scale=1.0):
    return (
        stats.norm.pdf(x, loc, scale),
        -stats.norm.pdf(x, loc, scale),
        -stats.norm.pdf(x, loc, scale) * (x - loc) / scale,
    )


@partials(stats.norm.logcdf, domains=(R, R, P))
def norm_logcdf(x, loc=0.0, scale=1.0, *, y):
    """The density over the distribution function, as exp(logpdf - logcdf): no underflow."""
    return (
        np.exp(stats.norm.logpdf(x, loc, scale) - y),
        -np.exp(stats.norm.logpdf(x, loc, scale) - y),
        -np.exp(stats.norm.logpdf(x, loc, scale) - y) * (x - loc) / scale,
    )


@partials(stats.norm.sf, domains=(R, R, P))
def norm_sf(x, loc=0.0, scale=1.0):
    """1 - cdf."""
    return (
        -stats.norm.pdf(x, loc, scale),
        stats.norm.pdf(x, loc, scale),
        stats.norm.pdf(x, loc, scale) * (x - loc) / scale,
    )


@partials(stats.norm.logsf, domains=(R, R, P))
def norm_logsf(x, loc=0.0, scale=1.0, *, y):
    return (
        -np.exp(stats.norm.logpdf(x, loc, scale) - y),
        np.exp(stats.norm.logpdf(x, loc, scale) - y),
        np.exp(stats.norm.logpdf(x, loc, scale) - y) * (x - loc) / scale,
    )


@partials(stats.norm.ppf, domains=(PROBABILITY, R, P))
def norm_ppf(q, loc=0.0, scale=1.0, *, y):
    """loc + scale ndtri(q): d/dq is one over the density at y."""
    return (
        np.sqrt(2 * np.pi) * scale * np.exp(((y - loc) / scale) ** 2 / 2),
        1,
        (y - loc) / scale,
    )


# -- t --------------------------------------------------------------------------------------------


@partials(stats.t.logpdf, domains=(R, P, R, P))
def t_logpdf(x, df, loc=0.0, scale=1.0):
    return (
        -(df + 1) * (x - loc) / (df * scale**2 + (x - loc) ** 2),
        t_logpdf_ddf(x, df, loc, scale),
        (df + 1) * (x - loc) / (df * scale**2 + (x - loc) ** 2),
        ((df + 1) * (x - loc) ** 2 / (df * scale**2 + (x - loc) ** 2) - 1) / scale,
    )


@partials(stats.t.pdf, domains=(R, P, R, P))
def t_pdf(x, df, loc=0.0, scale=1.0, *, y):
    return (
        -y * (df + 1) * (x - loc) / (df * scale**2 + (x - loc) ** 2),
        y * t_logpdf_ddf(x, df, loc, scale),
        y * (df + 1) * (x - loc) / (df * scale**2 + (x - loc) ** 2),
        y * ((df + 1) * (x - loc) ** 2 / (df * scale**2 + (x - loc) ** 2) - 1) / scale,
    )


@partials(stats.t.cdf, domains=(R, P, R, P))
def t_cdf(x, df, loc=0.0, scale=1.0):
    """d/d(df) has no closed form: by quadrature of the density's derivative."""
    return (
        stats.t.pdf(x, df, loc, scale),
        t_cdf_ddf(x, df, loc, scale),
        -stats.t.pdf(x, df, loc, scale),
        -stats.t.pdf(x, df, loc, scale) * (x - loc) / scale,
    )


@partials(stats.t.logcdf, domains=(R, P, R, P))
def t_logcdf(x, df, loc=0.0, scale=1.0, *, y):
    return (
        np.exp(stats.t.logpdf(x, df, loc, scale) - y),
        t_cdf_ddf(x, df, loc, scale) * np.exp(-y),
        -np.exp(stats.t.logpdf(x, df, loc, scale) - y),
        -np.exp(stats.t.logpdf(x, df, loc, scale) - y) * (x - loc) / scale,
    )


# -- gamma ----------------------------------------------------------------------------------------


@partials(stats.gamma.logpdf, domains=(A1, P, U, P))
def gamma_logpdf(x, a, loc=0.0, scale=1.0):
    """(a - 1) log z - z - gammaln(a) - log(scale)."""
    return (
        (a - 1) / (x - loc) - 1 / scale,
        np.log((x - loc) / scale) - special.digamma(a),
        1 / scale - (a - 1) / (x - loc),
        ((x - loc) / scale - a) / scale,
    )


@partials(stats.gamma.pdf, domains=(A1, P, U, P))
def gamma_pdf(x, a, loc=0.0, scale=1.0, *, y):
    return (
        y * ((a - 1) / (x - loc) - 1 / scale),
        y * (np.log((x - loc) / scale) - special.digamma(a)),
        y * (1 / scale - (a - 1) / (x - loc)),
        y * ((x - loc) / scale - a) / scale,
    )


@partials(stats.gamma.cdf, domains=(A1, P, U, P))
def gamma_cdf(x, a, loc=0.0, scale=1.0):
    """gammainc(a, z): d/da by quadrature."""
    return (
        stats.gamma.pdf(x, a, loc, scale),
        gammainc_da(a, (x - loc) / scale),
        -stats.gamma.pdf(x, a, loc, scale),
        -stats.gamma.pdf(x, a, loc, scale) * (x - loc) / scale,
    )


@partials(stats.gamma.logcdf, domains=(A1, P, U, P))
def gamma_logcdf(x, a, loc=0.0, scale=1.0, *, y):
    return (
        np.exp(stats.gamma.logpdf(x, a, loc, scale) - y),
        gammainc_da(a, (x - loc) / scale) * np.exp(-y),
        -np.exp(stats.gamma.logpdf(x, a, loc, scale) - y),
        -np.exp(stats.gamma.logpdf(x, a, loc, scale) - y) * (x - loc) / scale,
    )


# -- beta -----------------------------------------------------------------------------------------

BETA = (PROBABILITY, P, P, SMALL_LOC, WIDE_SCALE)


@partials(stats.beta.logpdf, domains=BETA)
def beta_logpdf(x, a, b, loc=0.0, scale=1.0):
    """(a - 1) log z + (b - 1) log(1 - z) - betaln(a, b) - log(scale)."""
    return (
        (a - 1) / (x - loc) - (b - 1) / (loc + scale - x),
        np.log((x - loc) / scale) - special.digamma(a) + special.digamma(a + b),
        np.log((loc + scale - x) / scale) - special.digamma(b) + special.digamma(a + b),
        (b - 1) / (loc + scale - x) - (a - 1) / (x - loc),
        ((b - 1) * (x - loc) / (loc + scale - x) - a) / scale,
    )


@partials(stats.beta.pdf, domains=BETA)
def beta_pdf(x, a, b, loc=0.0, scale=1.0, *, y):
    return (
        y * ((a - 1) / (x - loc) - (b - 1) / (loc + scale - x)),
        y * (np.log((x - loc) / scale) - special.digamma(a) + special.digamma(a + b)),
        y * (np.log((loc + scale - x) / scale) - special.digamma(b) + special.digamma(a + b)),
        y * ((b - 1) / (loc + scale - x) - (a - 1) / (x - loc)),
        y * ((b - 1) * (x - loc) / (loc + scale - x) - a) / scale,
    )


@partials(stats.beta.cdf, domains=BETA)
def beta_cdf(x, a, b, loc=0.0, scale=1.0):
    """betainc(a, b, z): d/da and d/db by quadrature."""
    return (
        stats.beta.pdf(x, a, b, loc, scale),
        betainc_da(a, b, (x - loc) / scale),
        betainc_db(a, b, (x - loc) / scale),
        -stats.beta.pdf(x, a, b, loc, scale),
        -stats.beta.pdf(x, a, b, loc, scale) * (x - loc) / scale,
    )


@partials(stats.beta.logcdf, domains=BETA)
def beta_logcdf(x, a, b, loc=0.0, scale=1.0, *, y):
    return (
        np.exp(stats.beta.logpdf(x, a, b, loc, scale) - y),
        betainc_da(a, b, (x - loc) / scale) * np.exp(-y),
        betainc_db(a, b, (x - loc) / scale) * np.exp(-y),
        -np.exp(stats.beta.logpdf(x, a, b, loc, scale) - y),
        -np.exp(stats.beta.logpdf(x, a, b, loc, scale) - y) * (x - loc) / scale,
    )


# -- poisson --------------------------------------------------------------------------------------


@partials(stats.poisson.logpmf, domains=(COUNT, P))
def poisson_logpmf(k, mu, loc=0):
    """(k - loc) log(mu) - mu - gammaln(k - loc + 1)."""
    return None, (k - loc) / mu - 1, None


@partials(stats.poisson.pmf, domains=(COUNT, P))
def poisson_pmf(k, mu, loc=0, *, y):
    return None, y * ((k - loc) / mu - 1), None


@partials(stats.poisson.cdf, domains=(COUNT, P))
def poisson_cdf(k, mu, loc=0):
    """gammaincc(floor(k - loc) + 1, mu), whose derivative is minus the pmf at floor(k - loc)."""
    return None, -stats.poisson.pmf(np.floor(k - loc), mu), None


@partials(stats.poisson.logcdf, domains=(COUNT, P))
def poisson_logcdf(k, mu, loc=0, *, y):
    return None, -np.exp(stats.poisson.logpmf(np.floor(k - loc), mu) - y), None


@partials(stats.poisson.sf, domains=(COUNT, P))
def poisson_sf(k, mu, loc=0):
    return None, stats.poisson.pmf(np.floor(k - loc), mu), None


@partials(stats.poisson.logsf, domains=(COUNT, P))
def poisson_logsf(k, mu, loc=0, *, y):
    return None, np.exp(stats.poisson.logpmf(np.floor(k - loc), mu) - y), None
