"""fastreg: fast, exact penalised least squares with a scikit-learn API.

Estimators: :class:`Lasso`, :class:`ElasticNet`, :class:`Ridge`.
The plain NumPy oracle the kernels are tested against is :mod:`fastreg.reference`.
"""
from ._coordinate_descent import ElasticNet, Lasso
from ._ridge import Ridge

__version__ = "0.1.0.dev0"
__all__ = ["ElasticNet", "Lasso", "Ridge", "__version__"]
