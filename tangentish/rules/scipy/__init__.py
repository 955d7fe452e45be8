"""Rules for SciPy, an optional dependency: `rules.load()` imports this package only when SciPy is
importable.

- `special`: elementwise special functions (`gammaln`, `digamma`, `erf`, `expit`, `xlogy`, ...),
  `polygamma`, `multigammaln` and the reductions `logsumexp`, `softmax`, `log_softmax`;
- `stats`: `logpdf`/`pdf`/`cdf`/`logcdf` (and a few more) of `norm`, `t`, `gamma`, `beta` and
  `poisson`, with respect to the value and every parameter; `multivariate` holds
  `multivariate_normal`;
- `linalg`: `solve_triangular`, `cholesky`, `cho_factor`/`cho_solve`, `expm`, `inv`, `det`.

The computations too long for a rule's one expression live in the `*_ops` modules, in plain
NumPy and SciPy. Derivatives with no closed form (a regularized incomplete gamma or beta function,
or Student's t distribution function, with respect to a shape parameter) are computed by adaptive
quadrature of the integrand's derivative, to about 1e-10.
"""
