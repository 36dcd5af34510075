"""Multilinear polynomials as flat arrays: canonical form, sum, product (x^k = x).

All operations are vectorised over monomials; a product first checks the
monomial cap so a blow-up is reported before memory is spent.
"""

from __future__ import annotations

import numpy as np

from ..errors import ExpansionLimitError
from .expr import Poly

_ZERO = 1e-12  # relative size below which a coefficient is rounding noise


def canonicalize(p: Poly) -> Poly:
    """Sort each monomial, drop repeated variables (x^k = x), merge equal monomials,
    drop zero coefficients; monomials ordered by degree then lexicographically."""
    m = p.n_terms
    if m == 0:
        return Poly(np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0), p.constant)
    deg = np.diff(p.offsets)
    tid = np.repeat(np.arange(m, dtype=np.int64), deg)
    order = np.lexsort((p.indices, tid))
    tid, idx = tid[order], p.indices[order]
    keep = np.ones(len(idx), dtype=bool)
    keep[1:] = (tid[1:] != tid[:-1]) | (idx[1:] != idx[:-1])
    tid, idx = tid[keep], idx[keep]
    deg = np.bincount(tid, minlength=m)
    offsets = np.concatenate(([0], np.cumsum(deg)))
    out_idx, out_coef, out_deg = [], [], []
    for d in np.unique(deg):
        rows = np.nonzero(deg == d)[0]
        block = idx[(offsets[rows][:, None] + np.arange(d)).reshape(-1)].reshape(len(rows), d)
        uniq, inverse = np.unique(block, axis=0, return_inverse=True)
        coefs = np.bincount(inverse.reshape(-1), weights=p.coefs[rows], minlength=len(uniq))
        out_idx.append(uniq.reshape(-1))
        out_coef.append(coefs)
        out_deg.append(np.full(len(uniq), d))
    coefs = np.concatenate(out_coef)
    degs = np.concatenate(out_deg)
    flat = np.concatenate(out_idx)
    scale = max(1.0, float(np.abs(coefs).max(initial=0.0)))
    nz = np.abs(coefs) > _ZERO * scale
    if not nz.all():
        elem_keep = np.repeat(nz, degs)
        flat, coefs, degs = flat[elem_keep], coefs[nz], degs[nz]
    return Poly(np.concatenate(([0], np.cumsum(degs))), flat, coefs, p.constant)


def constant(value: float) -> Poly:
    return Poly(np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0), value)


def poly_sum(parts: list[Poly]) -> Poly:
    """Concatenate polynomials (not canonicalised)."""
    if not parts:
        return constant(0.0)
    if len(parts) == 1:
        return parts[0]
    offsets = [np.zeros(1, np.int64)]
    base = 0
    for q in parts:
        offsets.append(q.offsets[1:] + base)
        base += len(q.indices)
    return Poly(np.concatenate(offsets), np.concatenate([q.indices for q in parts]),
                np.concatenate([q.coefs for q in parts]), sum(q.constant for q in parts))


def scale(p: Poly, factor: float) -> Poly:
    return Poly(p.offsets, p.indices, p.coefs * factor, p.constant * factor)


def _ragged_take(offsets: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate monomials ``rows`` (with repetition): returns (flat indices, lengths)."""
    lengths = np.diff(offsets)[rows]
    starts = np.repeat(offsets[rows], lengths)
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return indices[starts + within], lengths


def poly_product(a: Poly, b: Poly, cap: int, what: str) -> Poly:
    """Canonical product of two polynomials; raises if it would exceed ``cap`` monomials."""
    ma, mb = a.n_terms, b.n_terms
    pairs = ma * mb
    if pairs + ma + mb > cap:
        raise ExpansionLimitError(
            f"{what}: expanding a product of polynomials with {ma} and {mb} monomials would create "
            f"{pairs + ma + mb} monomials (cap max_monomials={cap}); keep the product's factors "
            "smaller, or raise max_monomials")
    parts = [constant(a.constant * b.constant)]
    if b.constant:
        parts.append(Poly(a.offsets, a.indices, a.coefs * b.constant))
    if a.constant:
        parts.append(Poly(b.offsets, b.indices, b.coefs * a.constant))
    if pairs:
        I = np.repeat(np.arange(ma), mb)
        J = np.tile(np.arange(mb), ma)
        ia, la = _ragged_take(a.offsets, a.indices, I)
        ib, lb = _ragged_take(b.offsets, b.indices, J)
        pid = np.concatenate((np.repeat(np.arange(pairs), la), np.repeat(np.arange(pairs), lb)))
        order = np.argsort(pid, kind="stable")
        flat = np.concatenate((ia, ib))[order]
        offsets = np.concatenate(([0], np.cumsum(la + lb)))
        parts.append(Poly(offsets, flat, a.coefs[I] * b.coefs[J]))
    return canonicalize(poly_sum(parts))


def poly_power(p: Poly, k: int, cap: int, what: str) -> Poly:
    """p ** k for an integer k >= 0, by repeated squaring."""
    result, base = constant(1.0), canonicalize(p)
    while k:
        if k & 1:
            result = poly_product(result, base, cap, what)
        k >>= 1
        if k:
            base = poly_product(base, base, cap, what)
    return result
