"""fastreg benchmark suite (pytest-benchmark); see bench/README.md."""
