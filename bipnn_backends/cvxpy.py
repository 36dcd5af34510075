"""Public CVXPY entry point: ``prob.solve(solver=bipnn_backends.cvxpy.BIPNN())``, and the error classes.

``prob.solve(method="bipnn")`` needs only ``import bipnn_backends``.
"""

from .adapters.cvxpy.common import STATUS_MAP
from .adapters.cvxpy.errors import (BipnnCvxpyError, CvxpyContinuousVariableError, CvxpyExpansionLimitError,
                                    CvxpyModelError, CvxpyNonFiniteCoefficientError, CvxpyOptionError,
                                    CvxpyUnboundedVariableError, CvxpyUndefinedFunctionError,
                                    CvxpyUnsupportedExpressionError)
from .adapters.cvxpy.solver import BIPNN

__all__ = ["BIPNN", "STATUS_MAP", "BipnnCvxpyError", "CvxpyModelError", "CvxpyContinuousVariableError",
           "CvxpyUnboundedVariableError", "CvxpyNonFiniteCoefficientError", "CvxpyUndefinedFunctionError",
           "CvxpyExpansionLimitError", "CvxpyUnsupportedExpressionError", "CvxpyOptionError"]
