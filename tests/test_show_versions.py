"""fastreg._show_versions: the bug-report summary."""
import numpy as np
import scipy
import sklearn

import fastreg


def test_show_versions_names_what_matters(capsys):
    fastreg.show_versions()
    out = capsys.readouterr().out
    for name, version in (("fastreg", fastreg.__version__), ("numpy", np.__version__),
                          ("scipy", scipy.__version__), ("sklearn", sklearn.__version__)):
        assert f"{name}: {version}" in out
    assert "python:" in out and "BLAS/LAPACK" in out
    # the BLAS NumPy loaded is reported with its thread count
    assert "num_threads=" in out
