"""Build script for fastreg's compiled kernels.

One ``Extension`` per ``.pyx`` file under ``fastreg/_kernels/`` (the compiled
layer: it imports nothing from fastreg's Python modules); plain-C helpers live
in ``csrc/`` (header-only, ``static inline``) and are reached through ``cdef
extern``.

Environment switches
--------------------
FASTREG_DEBUG=1
    Compile with Cython's safety checks on (boundscheck, wraparound,
    initializedcheck) and without optimisation, for the debug CI job.
FASTREG_NATIVE=1
    Add ``-march=native`` (off by default so that wheels stay portable).
"""
import os
import sys
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = Path(__file__).parent
DEBUG = os.environ.get("FASTREG_DEBUG", "0") not in ("", "0")
NATIVE = os.environ.get("FASTREG_NATIVE", "0") not in ("", "0")

compile_args = []
if sys.platform != "win32":
    # -O3 but never -ffast-math: it would reorder reductions and change results silently.
    # A release build carries no debug information (-g0 overrides the -g of
    # Python's own CFLAGS): it is most of a compiled module's size.
    compile_args = ["-O0", "-g"] if DEBUG else ["-O3", "-g0"]
    if NATIVE:
        compile_args.append("-march=native")

directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "nonecheck": False,
    "cdivision": True,
    "embedsignature": True,
}


KERNELS = "fastreg/_kernels"


def kernel(name):
    return Extension(
        f"fastreg._kernels.{name}",
        sources=[f"{KERNELS}/{name}.pyx"],
        include_dirs=[np.get_include(), str(HERE / "csrc")],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_22_API_VERSION")],
        extra_compile_args=compile_args,
        # Every kernel cimports some of the shared declarations: a change to
        # any of them (or to the C helpers) rebuilds them all.
        depends=([str(p) for p in (HERE / "csrc").glob("*.h")]
                 + [str(p.relative_to(HERE)) for p in (HERE / KERNELS).glob("*.pxd")]),
        language="c",
    )


# The generated C files live next to the sources and cythonize only compares
# timestamps: without a record of the directives they were generated with, a
# release build after a FASTREG_DEBUG=1 build (or the reverse) would silently
# compile the other mode's C code. build/ is git-ignored.
DIRECTIVES_STAMP = HERE / "build" / "cython-directives.txt"


def directives_changed():
    """Whether the directives differ from those of the last successful cythonize."""
    state = repr(sorted(directives.items()))
    return not DIRECTIVES_STAMP.is_file() or DIRECTIVES_STAMP.read_text() != state


def record_directives(ext_modules):
    DIRECTIVES_STAMP.parent.mkdir(exist_ok=True)
    DIRECTIVES_STAMP.write_text(repr(sorted(directives.items())))
    return ext_modules


setup(
    ext_modules=record_directives(cythonize(
        [kernel("_cd_dense"), kernel("_cd_sparse"), kernel("_cd_gram"),
         kernel("_sparse_normal"), kernel("_cd_multi_task"), kernel("_interrupt"),
         # Test support: Python twins of the BLAS shim's wrappers (tests/test_blas.py).
         kernel("_blas_twins")],
        compiler_directives=directives,
        # Rebuild when a directive switch changes between builds (either way).
        force=directives_changed(),
    )),
)
