"""Small real datasets shipped inside the package (for the demo and the tests)."""
from importlib import resources

import numpy as np

__all__ = ["load_diabetes"]

DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


def load_diabetes():
    """Load the diabetes data of Efron, Hastie, Johnstone and Tibshirani (2004).

    442 patients, 10 baseline variables (age, sex, body-mass index, mean blood
    pressure and six blood serum measurements), unscaled; the target is a
    quantitative measure of disease progression one year after baseline. The
    copy shipped here was written from scikit-learn's
    ``load_diabetes(scaled=False)`` (BSD-3-Clause).

    Returns
    -------
    X : ndarray of shape (442, 10)
        Features, float64.
    y : ndarray of shape (442,)
        Target, float64.
    feature_names : tuple of str
        Column names of X.
    """
    with resources.files(__name__).joinpath("diabetes.npz").open("rb") as fh:
        data = np.load(fh)
        return data["X"].copy(), data["y"].copy(), DIABETES_FEATURES
