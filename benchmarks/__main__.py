"""Entry point: sets one thread per solver before numpy/torch load, then runs the CLI."""

import os
import sys


def _threads(argv: list[str]) -> str:
    for k, a in enumerate(argv):
        if a == "--threads" and k + 1 < len(argv):
            return argv[k + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return os.environ.get("BENCH_THREADS", "1")


_n = _threads(sys.argv[1:])
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = _n

from .cli import main  # noqa: E402

main()
