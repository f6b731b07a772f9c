"""The implementations compared by the suite: re-exported from
:mod:`fastreg.benchmarks.implementations` (one calling convention for fastreg,
the reference, scikit-learn, celer, skglm and the NumPy floor; see that module).
"""
from fastreg.benchmarks.implementations import (  # noqa: F401
    IMPLS, MAX_EPOCHS, OPTIONAL, PATH_IMPLS, RIDGECV_IMPLS, VARIANTS, applicable, available,
    fit_celer, fit_fastreg, fit_numpy, fit_reference, fit_sklearn, fit_sklearn_gram,
    fit_skglm, import_error, iterative, path_celer, path_fastreg, path_reference,
    path_skglm, path_sklearn, version)
