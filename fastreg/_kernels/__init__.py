"""fastreg's compiled kernels: the bottom layer.

Cython modules (and the ``.pxd`` declarations they share) that import nothing
from fastreg's Python modules: every input, scratch buffer included, comes
from the drivers above them.
"""
