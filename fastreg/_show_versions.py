"""``fastreg.show_versions()``: what to paste into a bug report."""
import importlib
import platform
import sys

#: Packages whose versions matter to a fit: the runtime dependencies, then the
#: optional ones (peers, plotting, Dask) when installed.
_PACKAGES = ("fastreg", "numpy", "scipy", "sklearn", "threadpoolctl", "joblib",
             "Cython", "dask", "distributed", "celer", "skglm", "matplotlib", "pandas")


def _versions():
    out = {}
    for name in _PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            out[name] = None
        else:
            out[name] = getattr(module, "__version__", "unknown")
    return out


def _blas():
    """The BLAS/LAPACK libraries NumPy and SciPy loaded (threadpoolctl's view)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{k: info.get(k) for k in ("internal_api", "version", "num_threads",
                                      "threading_layer", "architecture", "filepath")}
            for info in threadpool_info()]


def show_versions():
    """Print the versions of Python, fastreg, its dependencies and the BLAS in use.

    The information a bug report needs: the platform, the versions of fastreg,
    NumPy, SciPy, scikit-learn and of the optional packages (None when not
    installed), and the BLAS/LAPACK libraries loaded, with their thread
    counts.

    Returns
    -------
    None
        The report is printed to standard output.
    """
    print("System:")
    print(f"    python: {sys.version.split()[0]} ({sys.executable})")
    print(f"  platform: {platform.platform()}")
    print("\nPython dependencies:")
    for name, version in _versions().items():
        print(f"{name:>13}: {version}")
    print("\nBLAS/LAPACK (threadpoolctl):")
    libraries = _blas()
    if not libraries:
        print("    (no information: threadpoolctl found none)")
    for info in libraries:
        print("    " + ", ".join(f"{k}={v}" for k, v in info.items() if v is not None))
