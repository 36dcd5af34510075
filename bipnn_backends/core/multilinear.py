"""Multilinear polynomials as flat arrays: canonical form, sum, product (x^k = x).

All operations are vectorised over monomials; a product first checks the
monomial cap so a blow-up is reported before memory is spent.
"""

from __future__ import annotations

import numpy as np

from ..errors import ExpansionLimitError
from .expr import Poly

_SENTINEL = np.iinfo(np.int64).max


def canonicalize(p: Poly) -> Poly:
    """Sort each monomial, drop repeated variables (x^k = x), merge equal monomials,
    drop coefficients that are exactly zero (every other one is kept, however small beside
    the largest: a user's 1 beside 1e15 is part of the model); monomials ordered by degree
    then lexicographically."""
    if p.n_terms == 0:
        return Poly(np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0), p.constant)
    if len(p.indices) == p.n_terms:  # linear: one sort and one bincount
        idx, inverse = np.unique(p.indices, return_inverse=True)
        coefs = np.bincount(inverse, weights=p.coefs, minlength=len(idx))
        keep = coefs != 0
        return Poly(np.arange(int(keep.sum()) + 1), idx[keep], coefs[keep], p.constant)
    deg = np.diff(p.offsets)
    by_degree: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for d in np.unique(deg):
        rows = np.nonzero(deg == d)[0]
        block = np.sort(p.indices[p.offsets[rows][:, None] + np.arange(d)], axis=1)
        coefs = p.coefs[rows]
        dup = np.zeros(block.shape, dtype=bool)
        dup[:, 1:] = block[:, 1:] == block[:, :-1]
        if dup.any():
            block = np.sort(np.where(dup, _SENTINEL, block), axis=1)
            new_deg = d - dup.sum(axis=1)
            for nd in np.unique(new_deg):
                sel = new_deg == nd
                by_degree.setdefault(int(nd), []).append((block[sel, :nd], coefs[sel]))
        else:
            by_degree.setdefault(int(d), []).append((block, coefs))
    out_idx, out_coef, out_deg = [], [], []
    for d in sorted(by_degree):
        block = np.concatenate([b for b, _ in by_degree[d]])
        coefs = np.concatenate([c for _, c in by_degree[d]])
        uniq, merged = _merge_rows(block, coefs)
        out_idx.append(uniq.reshape(-1))
        out_coef.append(merged)
        out_deg.append(np.full(len(uniq), d))
    coefs = np.concatenate(out_coef)
    degs = np.concatenate(out_deg)
    flat = np.concatenate(out_idx)
    nz = coefs != 0
    if not nz.all():
        flat, coefs, degs = flat[np.repeat(nz, degs)], coefs[nz], degs[nz]
    return Poly(np.concatenate(([0], np.cumsum(degs))), flat, coefs, p.constant)


def _merge_rows(block: np.ndarray, coefs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``block`` in lexicographic order, with their summed coefficients."""
    order = np.lexsort(block.T[::-1])
    block, coefs = block[order], coefs[order]
    start = np.ones(len(block), dtype=bool)
    start[1:] = (block[1:] != block[:-1]).any(axis=1)
    group = np.cumsum(start) - 1
    return block[start], np.bincount(group, weights=coefs)


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


def poly_product(a: Poly, b: Poly, cap: int, what: object) -> Poly:
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


def poly_power(p: Poly, k: int, cap: int, what: object) -> Poly:
    """p ** k for an integer k >= 0, by repeated squaring."""
    result, base = constant(1.0), canonicalize(p)
    while k:
        if k & 1:
            result = poly_product(result, base, cap, what)
        k >>= 1
        if k:
            base = poly_product(base, base, cap, what)
    return result
