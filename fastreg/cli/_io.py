"""Reading the data files of ``python -m fastreg fit``, and writing coefficients.

Formats, chosen by the extension of the file (or ``--format``):

``csv`` (``.csv``), ``tsv`` (``.tsv``, ``.tab``)
    A header row of column names, then one row of numbers per sample. The target
    is the last column, or the column named by ``--target``; every other column is
    a feature. Missing values, NaN and infinities are refused.
``svmlight`` (``.svm``, ``.svmlight``, ``.libsvm``)
    ``target index:value index:value ...`` per line, read as a sparse matrix by
    :func:`sklearn.datasets.load_svmlight_file`. Indices are one-based unless the
    file uses index 0; features are named ``x<index>`` as written in the file.
``npz`` (``.npz``)
    Either arrays ``X`` (2-D) and ``y`` (1-D); or a sparse matrix written by
    :func:`scipy.sparse.save_npz` to which an array ``y`` was added (the keys
    ``format``, ``shape``, ``data``, ``indices``, ``indptr``, or ``row``/``col``
    for COO, plus ``y``); or a ``save_npz`` file ``NAME_X.npz`` without ``y``,
    with the target in ``NAME_y.npy`` next to it. ``--target KEY`` names another
    target array than ``y``; an optional string array ``feature_names`` names the
    columns (default ``x0``, ``x1``, ...).
"""
import csv
import json
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ._errors import CommandError

__all__ = ["Dataset", "FORMATS", "load_data", "write_coefficients"]

#: extension -> format
FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".svm": "svmlight",
           ".svmlight": "svmlight", ".libsvm": "svmlight", ".npz": "npz"}
INTERCEPT_NAME = "(intercept)"


@dataclass
class Dataset:
    """A loaded data file: design, target and names."""

    X: object
    y: np.ndarray
    feature_names: list
    target_name: str
    format: str
    path: Path

    @property
    def density(self):
        n, p = self.X.shape
        nnz = self.X.nnz if sp.issparse(self.X) else np.count_nonzero(self.X)
        return nnz / (n * p) if n * p else 0.0


def _format_of(path, fmt):
    if fmt is not None:
        return fmt
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CommandError(
            f"{path}: unknown file type {path.suffix!r}; use one of "
            f"{', '.join(sorted(FORMATS))}, or --format csv|tsv|svmlight|npz")
    return fmt


def load_data(path, fmt=None, target=None):
    """Read a data file (see the module docstring) into a :class:`Dataset`.

    Raises
    ------
    CommandError
        With a one-line message, for a missing, unreadable or malformed file,
        an unknown target, non-numeric or non-finite values.
    """
    path = Path(path)
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    if path.is_dir():
        raise CommandError(f"{path}: is a folder, not a data file")
    fmt = _format_of(path, fmt)
    try:
        if fmt in ("csv", "tsv"):
            data = _load_delimited(path, "," if fmt == "csv" else "\t", target)
        elif fmt == "svmlight":
            data = _load_svmlight(path, target)
        else:
            data = _load_npz(path, target)
    except OSError as exc:
        raise CommandError(f"{path}: cannot read: {exc.strerror or exc}") from None
    _check_finite(data)
    if data.X.shape[0] == 0:
        raise CommandError(f"{path}: no samples")
    if data.X.shape[1] == 0:
        raise CommandError(f"{path}: no feature columns besides the target")
    return data


# ---------------------------------------------------------------------------
# CSV / TSV
# ---------------------------------------------------------------------------

def _load_delimited(path, delimiter, target):
    kind = "CSV" if delimiter == "," else "TSV"
    with open(path, newline="", encoding="utf-8-sig") as fh:
        try:
            header = next(csv.reader(fh, delimiter=delimiter), None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: not a readable {kind} file: {exc}") from None
    if not header or not any(h.strip() for h in header):
        raise CommandError(f"{path}: empty file (expected a header row of column names)")
    names = [h.strip() for h in header]
    for k, name in enumerate(names):
        if not name:
            raise CommandError(f"{path}: column {k + 1} of the header has no name")
        if name in names[:k]:
            raise CommandError(f"{path}: duplicate column name {name!r} in the header")
    if target is None:
        t = len(names) - 1
    elif target in names:
        t = names.index(target)
    else:
        shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
        raise CommandError(f"{path}: unknown target column {target!r} (columns: {shown})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": checked below
            values = np.loadtxt(path, delimiter=delimiter, skiprows=1, ndmin=2,
                                dtype=np.float64, comments=None, quotechar='"',
                                encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError):
        _diagnose_delimited(path, delimiter, names, kind)
        raise CommandError(f"{path}: not a readable {kind} file") from None
    if values.size == 0:
        raise CommandError(f"{path}: no data rows after the header")
    if values.shape[1] != len(names):
        raise CommandError(f"{path}: the rows have {values.shape[1]} fields, the header "
                           f"{len(names)}")
    keep = [j for j in range(len(names)) if j != t]
    return Dataset(X=np.asfortranarray(values[:, keep]), y=values[:, t].copy(),
                   feature_names=[names[j] for j in keep], target_name=names[t],
                   format=kind, path=path)


def _diagnose_delimited(path, delimiter, names, kind):
    """Find the first bad cell of a file that ``np.loadtxt`` refused; raise on it."""
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            next(reader)
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(row) != len(names):
                    sep = "commas" if delimiter == "," else "tabs"
                    raise CommandError(
                        f"{path}, line {line}: {len(row)} fields, but the header has "
                        f"{len(names)} (is the file separated by {sep}?)")
                for name, cell in zip(names, row):
                    if not cell.strip():
                        raise CommandError(f"{path}, line {line}: empty value in column "
                                           f"{name!r} (missing values are not supported)")
                    try:
                        float(cell)
                    except ValueError:
                        raise CommandError(
                            f"{path}, line {line}: column {name!r} is not numeric "
                            f"({cell.strip()[:40]!r})") from None
        except csv.Error as exc:
            raise CommandError(f"{path}: not a readable {kind} file: {exc}") from None


# ---------------------------------------------------------------------------
# svmlight / libsvm
# ---------------------------------------------------------------------------

def _load_svmlight(path, target):
    from sklearn.datasets import load_svmlight_file

    if target is not None:
        raise CommandError("--target does not apply to svmlight files (the target is the "
                           "first field of each line)")
    try:
        X, y = load_svmlight_file(str(path), dtype=np.float64, zero_based=True)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: not a valid svmlight/libsvm file: "
                           f"{str(exc).splitlines()[0] if str(exc) else exc!r}") from None
    # One-based unless index 0 occurs (scikit-learn's "auto" rule).
    first = 1 if X.nnz and X.indices.min() > 0 else 0
    X = sp.csc_matrix(X[:, first:])
    names = [f"x{j}" for j in range(first, first + X.shape[1])]
    return Dataset(X=X, y=np.asarray(y, dtype=np.float64), feature_names=names,
                   target_name="target", format="svmlight", path=path)


# ---------------------------------------------------------------------------
# npz
# ---------------------------------------------------------------------------

_SPARSE_KEYS = {"format", "shape", "data"}


def _load_npz(path, target):
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile, OSError) as exc:
        raise CommandError(f"{path}: not a readable .npz file ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise CommandError(f"{path}: a single .npy array, not a .npz archive of X and y")
    with archive:
        keys = list(archive.files)
        try:
            if "X" in keys:
                X = _numeric(archive["X"], path, "X")
                if X.ndim != 2:
                    raise CommandError(f"{path}: X must be 2-D, it has shape {X.shape}")
            elif _SPARSE_KEYS <= set(keys):
                try:
                    X = sp.load_npz(path)
                except (ValueError, KeyError) as exc:
                    raise CommandError(f"{path}: not a valid scipy.sparse matrix: "
                                       f"{exc}") from None
                X = sp.csc_matrix(X, dtype=np.float64)
            else:
                raise CommandError(
                    f"{path}: no design matrix: expected an array 'X' or the keys of "
                    f"scipy.sparse.save_npz (found: {', '.join(keys) or 'nothing'})")
            key = "y" if target is None else target
            if key in keys:
                y, y_name = archive[key], key
            else:
                y, y_name = _sibling_target(path, key, keys)
            names = (_names(archive["feature_names"], X.shape[1], path)
                     if "feature_names" in keys else [f"x{j}" for j in range(X.shape[1])])
        except ValueError as exc:  # object arrays need pickle: refused
            raise CommandError(f"{path}: unsupported array: {exc}") from None
    y = _numeric(y, path, y_name)
    if y.ndim == 2 and 1 in y.shape:
        y = y.ravel()
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise CommandError(f"{path}: the target {y_name!r} must be 1-D with one value per "
                           f"row of X ({X.shape[0]}), it has shape {y.shape}")
    if not sp.issparse(X):
        X = np.asfortranarray(X, dtype=np.float64)
    return Dataset(X=X, y=y.astype(np.float64), feature_names=names, target_name=y_name,
                   format="npz (sparse)" if sp.issparse(X) else "npz", path=path)


def _sibling_target(path, key, keys):
    stem = path.name[:-len(".npz")]
    if key == "y" and stem.endswith("_X"):
        sibling = path.with_name(stem[:-2] + "_y.npy")
        if sibling.is_file():
            try:
                return np.load(sibling, allow_pickle=False), sibling.name
            except (ValueError, OSError) as exc:
                raise CommandError(f"{sibling}: not a readable .npy file ({exc})") from None
    raise CommandError(
        f"{path}: no target array {key!r} (found: {', '.join(keys)})"
        + ("" if key != "y" else "; add one, or put it in NAME_y.npy next to NAME_X.npz"))


def _numeric(a, path, name):
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        raise CommandError(f"{path}: array {name!r} is not numeric (dtype {a.dtype})")
    return a.astype(np.float64, copy=False)


def _names(a, p, path):
    a = np.asarray(a)
    if a.ndim != 1 or a.shape[0] != p:
        raise CommandError(f"{path}: 'feature_names' must list {p} names, it has shape "
                           f"{a.shape}")
    return [str(v) for v in a]


# ---------------------------------------------------------------------------
# checks and output
# ---------------------------------------------------------------------------

def _check_finite(data):
    values = data.X.data if sp.issparse(data.X) else data.X
    for arr, what in ((data.y, f"target {data.target_name!r}"), (values, "X")):
        bad = ~np.isfinite(arr)
        if not bad.any():
            continue
        kind = "NaN" if np.isnan(arr[bad]).any() else "infinite"
        where = what
        if what == "X" and not sp.issparse(data.X):
            row, col = np.argwhere(bad)[0]
            where = f"column {data.feature_names[col]!r}"
            if data.format in ("CSV", "TSV"):
                where += f", line {row + 2}"
            else:
                where += f", row {row}"
        elif what != "X" and data.format in ("CSV", "TSV"):
            where += f", line {int(np.flatnonzero(bad)[0]) + 2}"
        raise CommandError(f"{data.path}: {kind} value in {where} "
                           "(missing or non-finite values are not supported)")


def write_coefficients(path, names, coef, intercept, meta):
    """Write the coefficients as CSV (``feature,coef`` rows, the intercept first) or
    JSON (``meta`` plus ``intercept``, ``feature_names`` and ``coef``), by extension.

    Values are written with ``repr``: they read back exactly.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise CommandError(f"--out {path}: the coefficients file must end in .csv or .json")
    if not path.parent.is_dir():
        raise CommandError(f"--out {path}: no such folder {str(path.parent)!r}")
    coef = [float(c) for c in np.asarray(coef).ravel()]
    try:
        with open(path, "w", newline="") as fh:
            if suffix == ".csv":
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(["feature", "coef"])
                writer.writerow([INTERCEPT_NAME, repr(float(intercept))])
                writer.writerows([name, repr(c)] for name, c in zip(names, coef))
            else:
                json.dump(dict(meta, intercept=float(intercept), feature_names=list(names),
                               coef=coef), fh, indent=1)
                fh.write("\n")
    except OSError as exc:
        raise CommandError(f"--out {path}: cannot write: {exc.strerror or exc}") from None
    return path
