"""The benchmark suite's definitions, installed with fastreg (pure Python, no pytest).

``python -m fastreg bench`` and the pytest-benchmark suite of the repository's
``bench/`` folder share them, so that both time the same problems, the same
way, at the same accuracy:

- :mod:`~fastreg.benchmarks.problems`: seeded problem generators, size tables,
  the tasks (Lasso, Elastic-Net, Ridge) and their penalties;
- :mod:`~fastreg.benchmarks.real_data`: real datasets read from a folder the
  user provides;
- :mod:`~fastreg.benchmarks.implementations`: fastreg, the pure-Python reference,
  scikit-learn, celer, skglm and a NumPy floor behind one calling convention;
- :mod:`~fastreg.benchmarks.accuracy`: the solver-independent gap certificate
  and the tolerance calibration;
- :mod:`~fastreg.benchmarks.runner`: runs the cases and returns the results;
- :mod:`~fastreg.benchmarks.report`: renders the results as Markdown.
"""
