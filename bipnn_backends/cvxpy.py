"""Public CVXPY entry point: ``prob.solve(solver=bipnn_backends.cvxpy.BIPNN())``.

``prob.solve(method="bipnn")`` needs only ``import bipnn_backends``.
"""

from .adapters.cvxpy.common import (CvxpyContinuousVariableError, CvxpyModelError, CvxpyOptionError,
                                    CvxpyUnboundedVariableError, CvxpyUnsupportedExpressionError, STATUS_MAP)
from .adapters.cvxpy.solver import BIPNN

__all__ = ["BIPNN", "STATUS_MAP", "CvxpyContinuousVariableError", "CvxpyModelError", "CvxpyOptionError",
           "CvxpyUnboundedVariableError", "CvxpyUnsupportedExpressionError"]
