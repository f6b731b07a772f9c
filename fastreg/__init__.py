"""fastreg: fast, exact penalised least squares with a scikit-learn API.

Estimators: :class:`Lasso`, :class:`ElasticNet`, :class:`Ridge`, and their
cross-validated variants :class:`LassoCV`, :class:`ElasticNetCV`,
:class:`RidgeCV` (exact leave-one-out for all alphas at once);
:class:`LassoIC`, :class:`ElasticNetIC` (alpha by AIC, BIC or EBIC); the
multi-task (joint-sparsity) :class:`MultiTaskElasticNet`,
:class:`MultiTaskLasso` and their CV variants; paths:
:func:`lasso_path`, :func:`enet_path`, and :func:`regularization_path`,
which returns a :class:`RegularizationPath` to query at any alpha;
:func:`show_versions` for bug reports. The plain NumPy oracle the kernels are
tested against is :mod:`fastreg.reference`.
"""
from ._coordinate_descent import ElasticNet, Lasso
from ._cv import ElasticNetCV, LassoCV
from ._ic import ElasticNetIC, LassoIC
from ._multi_task import MultiTaskElasticNet, MultiTaskLasso
from ._multi_task_cv import MultiTaskElasticNetCV, MultiTaskLassoCV
from ._path import enet_path, lasso_path
from ._regularization_path import RegularizationPath, regularization_path
from ._ridge import Ridge
from ._ridge_cv import RidgeCV
from ._show_versions import show_versions

__version__ = "0.1.0.dev0"
__all__ = ["ElasticNet", "ElasticNetCV", "ElasticNetIC", "Lasso", "LassoCV", "LassoIC",
           "MultiTaskElasticNet", "MultiTaskElasticNetCV", "MultiTaskLasso",
           "MultiTaskLassoCV", "RegularizationPath", "Ridge", "RidgeCV", "enet_path",
           "lasso_path", "regularization_path", "show_versions", "__version__"]
