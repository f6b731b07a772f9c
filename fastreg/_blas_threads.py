"""Keep BLAS single-threaded while a coordinate-descent kernel runs.

The kernels call level-1 BLAS (dot, axpy, asum) on vectors of n_samples or
n_features entries, thousands of times per fit. A multithreaded OpenBLAS
splits every such call above ~10,000 entries across its threads, and the
wake-up and join cost far more than the work (bench/results/cost_models.md).
Coordinate descent is sequential anyway; fastreg parallelises across folds
(``n_jobs``) instead.

The limit is reference-counted, so that several kernels running at once in
threads share one limit, and the user's setting is restored when the last of
them returns. OpenBLAS (0.3.30 at least) ignores a thread count set from a
thread other than the one that last set it, so callers that fan out to
threads (cross-validation folds) take the limit in the calling thread first.
"""
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_saved = None
_libs = None


def _blas_libraries():
    global _libs
    if _libs is None:
        try:
            from threadpoolctl import ThreadpoolController
            _libs = [lib for lib in ThreadpoolController().lib_controllers
                     if lib.user_api == "blas"]
        except Exception:  # threadpoolctl missing or unable to inspect: do nothing
            _libs = []
    return _libs


@contextmanager
def single_threaded_blas():
    """Context manager: BLAS limited to one thread inside (re-entrant, thread-safe)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            libs = _blas_libraries()
            _saved = [lib.num_threads for lib in libs]
            for lib, n in zip(libs, _saved):
                if n != 1:
                    lib.set_num_threads(1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for lib, n in zip(_blas_libraries(), _saved):
                    if n != 1:
                        lib.set_num_threads(n)
