"""Readers for the real max-cut datasets in ``../shared/data`` and their reference values.

Every reader returns a :class:`Hypergraph` (a graph is a hypergraph whose
hyperedges all have two vertices): CSR arrays, 0-based compact vertex ids,
one weight per hyperedge. Formats (see ``../shared/data/README.md``):

- BIPNN paper files: optional header ``E V`` (``?`` where unknown; absent
  in ``cora_hypergraph.txt``), then one edge / hyperedge per line; ids may
  be 0- or 1-based or arbitrary strings: relabelled compactly in order of
  first appearance. Graphs are undirected: self-loops and duplicate edges
  are dropped.
- Gset: header ``n m``, then ``i j w`` (1-based, signed weights).
- HypOp: header ``n m``, then one hyperedge per line (1-based).

Hyperedges with fewer than two distinct vertices can never be cut and are
dropped; repeated vertices inside a hyperedge are merged. Duplicate
hyperedges in hypergraph files are kept (each line counts once).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Hypergraph:
    """Hyperedge k is ``indices[offsets[k]:offsets[k+1]]`` (distinct, sorted), weight ``weights[k]``."""

    name: str
    n: int
    offsets: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def m(self) -> int:
        return len(self.weights)

    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    def edges(self) -> list[np.ndarray]:
        return [self.indices[self.offsets[k]:self.offsets[k + 1]] for k in range(self.m)]


def from_lists(name: str, n: int, edges: list[list[int]], weights: list[float] | None = None,
               notes: list[str] | None = None) -> Hypergraph:
    """Build a :class:`Hypergraph` from vertex lists (merging repeats, dropping edges of size < 2)."""
    notes = list(notes or [])
    w = np.ones(len(edges)) if weights is None else np.asarray(weights, dtype=np.float64)
    kept, kept_w, small = [], [], 0
    for e, wk in zip(edges, w):
        u = sorted(set(e))
        if len(u) < 2:
            small += 1
            continue
        if u[0] < 0 or u[-1] >= n:
            raise ValueError(f"{name}: vertex id out of range [0, {n}) in {e}")
        kept.append(u)
        kept_w.append(wk)
    if small:
        notes.append(f"dropped {small} hyperedges with fewer than 2 distinct vertices")
    sizes = np.array([len(e) for e in kept], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    indices = np.array([v for e in kept for v in e], dtype=np.int64)
    return Hypergraph(name, n, offsets, indices, np.array(kept_w, dtype=np.float64), notes)


def _tokens(path: Path) -> list[list[str]]:
    with open(path) as fh:
        return [line.split() for line in fh if line.strip() and not line.lstrip().startswith(("#", "%"))]


def _paper_has_header(lines: list[list[str]]) -> bool:
    first = lines[0]
    if len(first) != 2:
        return False
    if "?" in first:
        return True
    return first[0].isdigit() and int(first[0]) == len(lines) - 1


def read_paper(path: str | Path, kind: str, name: str | None = None) -> Hypergraph:
    """A BIPNN-paper file; ``kind`` is "graph" (dedupe, no self-loops) or "hypergraph"."""
    path = Path(path)
    name = name or path.stem.split("_")[0]
    lines = _tokens(path)
    if not lines:
        raise ValueError(f"{path}: empty file")
    notes = []
    if _paper_has_header(lines):
        notes.append(f"header {' '.join(lines[0])!r} skipped")
        lines = lines[1:]
    ids: dict[str, int] = {}
    raw = [[ids.setdefault(tok, len(ids)) for tok in line] for line in lines]
    if kind == "graph":
        bad = [line for line in raw if len(line) != 2]
        if bad:
            raise ValueError(f"{path}: a graph line must have two ids, got {bad[0]}")
        loops = sum(1 for a, b in raw if a == b)
        pairs = {(min(a, b), max(a, b)) for a, b in raw if a != b}
        dup = len(raw) - loops - len(pairs)
        notes.append(f"dropped {loops} self-loops and {dup} duplicate edges")
        edges = [list(p) for p in sorted(pairs)]
        return from_lists(name, len(ids), edges, notes=notes)
    if kind != "hypergraph":
        raise ValueError(f"kind must be 'graph' or 'hypergraph', got {kind!r}")
    return from_lists(name, len(ids), raw, notes=notes)


def read_gset(path: str | Path, name: str | None = None) -> Hypergraph:
    """A Gset file: header ``n m`` then ``i j w`` lines, 1-based; duplicate edges add weights."""
    path = Path(path)
    lines = _tokens(path)
    n, m = int(lines[0][0]), int(lines[0][1])
    body = lines[1:]
    if len(body) != m:
        raise ValueError(f"{path}: header says {m} edges, found {len(body)}")
    arr = np.array([[int(a), int(b)] for a, b, *_ in body], dtype=np.int64) - 1
    w = np.array([float(r[2]) if len(r) > 2 else 1.0 for r in body])
    loops = arr[:, 0] == arr[:, 1]
    arr, w = np.sort(arr[~loops], axis=1), w[~loops]
    uniq, inv = np.unique(arr, axis=0, return_inverse=True)
    wsum = np.bincount(inv.reshape(-1), weights=w, minlength=len(uniq))
    notes = [f"{int(loops.sum())} self-loops dropped, {len(arr) - len(uniq)} duplicate edges merged"]
    return from_lists(name or path.stem, n, uniq.tolist(), wsum.tolist(), notes)


def read_hypop(path: str | Path, name: str | None = None) -> Hypergraph:
    """A HypOp hypergraph: header ``n m`` then one 1-based hyperedge per line."""
    path = Path(path)
    lines = _tokens(path)
    n, m = int(lines[0][0]), int(lines[0][1])
    body = lines[1:]
    if len(body) != m:
        raise ValueError(f"{path}: header says {m} hyperedges, found {len(body)}")
    return from_lists(name or path.stem, n, [[int(t) - 1 for t in line] for line in body])


def data_root() -> Path | None:
    """``$BIPNN_DATA``, ``/work/shared/data`` or ``../shared/data`` relative to the repo; None if absent."""
    candidates = [os.environ.get("BIPNN_DATA"), "/work/shared/data", REPO.parent / "shared" / "data"]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return None


@dataclass(frozen=True)
class Dataset:
    """A named real instance: its file, reader and reference values (from the data README)."""

    name: str
    relpath: str
    reader: Callable[[Path], Hypergraph]
    paper: dict[str, float] = field(default_factory=dict)
    measured_30s: dict[str, float] = field(default_factory=dict)
    best_known: float | None = None


def _paper(kind: str) -> Callable[[Path], Hypergraph]:
    return lambda p: read_paper(p, kind)


_M = ("scip", "openjij_sa", "dwave_tabu", "dwave_sa", "greedy")


def _m(*vals: float) -> dict[str, float]:
    return dict(zip(_M, vals))


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset("bat", "bipnn-paper/bat_graph.txt", _paper("graph"),
            {"scip": 655, "tabu": 652, "bipnn": 651}, _m(653, 655, 655, 655, 655)),
    Dataset("eat", "bipnn-paper/eat_graph.txt", _paper("graph"),
            {"scip": 3849, "tabu": 3972, "bipnn": 3978}, _m(2292, 3997, 3997, 3997, 3997)),
    Dataset("uat", "bipnn-paper/uat_graph.txt", _paper("graph"),
            {"scip": 7899, "tabu": 8402, "bipnn": 8407}, _m(3986, 8468, 8457, 8474, 8423)),
    Dataset("dblp", "bipnn-paper/dblp_graph.txt", _paper("graph"),
            {"scip": 2869, "tabu": 2710, "bipnn": 2801}, _m(2851, 2852, 2808, 2865, 2755)),
    Dataset("citeseer", "bipnn-paper/citeseer_graph.txt", _paper("graph"),
            {"scip": 3960, "tabu": 3717, "bipnn": 3852}, _m(3924, 3935, 3884, 3957, 3760)),
    Dataset("cora", "bipnn-paper/cora_hypergraph.txt", _paper("hypergraph"),
            {"scip": 1215, "tabu": 1360, "bipnn": 1384}, _m(1400, 1396, 1298, 1275, 1373), 1400),
    Dataset("primary", "bipnn-paper/primary_hypergraph.txt", _paper("hypergraph"),
            {"scip": 7603, "tabu": 8500, "bipnn": 8509}, _m(6089, 8553, 8160, 8104, 8512)),
    Dataset("high", "bipnn-paper/high_hypergraph.txt", _paper("hypergraph"),
            {"scip": 4599, "tabu": 5160, "bipnn": 5216}, _m(4010, 5258, 5085, 5040, 5217)),
    Dataset("G1", "gset/G1.txt", read_gset, {}, _m(3827, 11623, 11624, 11624, 11472), 11624),
    Dataset("G22", "gset/G22.txt", read_gset, {}, _m(6009, 13351, 13183, 13358, 12954), 13359),
    Dataset("Hyp_901_1333", "hypop-hypergraphs/Hyp_901_1333.txt", read_hypop,
            {"hypop": 1291}, _m(1300, 1311, 1159, 1092, 1256)),
]}


def load(name: str, root: Path | None = None) -> Hypergraph:
    """Read dataset ``name``; raises FileNotFoundError with a clear message when the data is absent."""
    ds = DATASETS[name]
    root = root or data_root()
    if root is None or not (root / ds.relpath).is_file():
        where = root / ds.relpath if root else "../shared/data (not found; set BIPNN_DATA)"
        raise FileNotFoundError(f"dataset {name!r} not available: {where}")
    return ds.reader(root / ds.relpath)
