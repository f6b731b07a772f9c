"""The benchmark suite's definitions, installed with fastreg (pure Python, no pytest).

``python -m fastreg bench``, the pytest-benchmark suite and the scripts of the
repository's ``bench/`` folder share them, so that all time the same problems
and implementations, the same way, at the same accuracy:

- :mod:`~fastreg.benchmarks.problems`: seeded problem generators, size tables,
  the tasks (Lasso, Elastic-Net, Ridge) and their penalties;
- :mod:`~fastreg.benchmarks.real_data`: real datasets read from a folder the
  user provides;
- :mod:`~fastreg.benchmarks.implementations`: fastreg, the pure-Python reference,
  scikit-learn, celer, skglm and a NumPy floor behind one calling convention;
- :mod:`~fastreg.benchmarks.accuracy`: the solver-independent gap certificate
  and the tolerance calibration;
- :mod:`~fastreg.benchmarks.timing`: one BLAS thread, the CPU timing rule, the
  machine information;
- :mod:`~fastreg.benchmarks.runner`: runs the cases of ``fastreg bench`` and
  returns the results;
- :mod:`~fastreg.benchmarks.targets`: the rows of the target table
  (``python -m bench.targets``) and how each is run;
- :mod:`~fastreg.benchmarks.report`: renders both as Markdown.

Nothing here is imported by ``import fastreg``; the optional peers (celer,
skglm) and matplotlib are imported only where they are used.
"""
