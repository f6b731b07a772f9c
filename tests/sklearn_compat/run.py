"""Run scikit-learn's own ``linear_model`` tests against fastreg.

The script copies a few test files out of the *installed* scikit-learn
(``sklearn/linear_model/tests/``) into a fresh temporary directory, rewrites
their imports so that every public name fastreg exports (``fastreg.__all__``,
read at run time) is taken from fastreg while everything else stays
scikit-learn's, runs pytest on the copies in a subprocess and compares the
failing tests with the checked-in list ``expected_failures.txt`` next to this
script.

It exits with status 1 if a test fails that is not on the list, or if a listed
test no longer fails ("stale entry"), so that the list stays honest; with
status 2 if pytest could not run at all; with status 0 otherwise.

Notes
-----
How the imports are rewritten (with the ``ast`` module to find them; each
statement is replaced by text spanning the same lines, so the line numbers in
tracebacks are those of scikit-learn's file):

* ``from sklearn.linear_model import A, B`` and imports from its private
  submodules (``from sklearn.linear_model._coordinate_descent import Lasso,
  _set_order``): the names fastreg exports come from ``fastreg``, the others
  (private helpers included) from where they came from before.
* ``from sklearn import linear_model`` and ``import sklearn.linear_model as
  lm``: the name is bound to a generated module ``_fastreg_linear_model``,
  which is ``sklearn.linear_model`` with fastreg's exports in front.
* ``sklearn.linear_model.Lasso`` after ``import sklearn.linear_model``: the
  attribute is read from that generated module.

Strings are not rewritten, e.g. ``monkeypatch.setattr(
"sklearn.linear_model._coordinate_descent.Lasso", ...)`` still patches
scikit-learn's module.

pytest runs from the temporary directory with a generated empty ``pytest.ini``
(so no configuration of this repository applies), with plugin auto-loading
off, with ``-p sklearn.conftest`` (scikit-learn's installed conftest, which
provides fixtures such as ``global_random_seed`` and ``global_dtype``) and with
``SKLEARN_TESTS_GLOBAL_RANDOM_SEED`` set to a fixed value, so that test ids
and data are the same from run to run.

The list has one test id (``file::test[params]``) per line, then `` # `` and a
one-line reason beginning with a category word: ``internals:`` (the test
inspects scikit-learn internals fastreg does not have), ``not-claimed:`` (a
feature fastreg does not claim), ``tolerance:`` (both fits meet the requested
tolerance, measured and given; the test asks for agreement beyond it, which
scikit-learn reaches by iterating past its tolerance while fastreg stops at its
certified duality gap), ``extension:`` (fastreg accepts and solves exactly what
scikit-learn refuses or deprecates), or ``TODO:`` (not yet triaged, or to be
fixed in fastreg: a run fails while any listed failure is TODO).

Examples
--------
From the repository root, with the package built and installed::

    python tests/sklearn_compat/run.py                   # run, compare, summarise
    python tests/sklearn_compat/run.py -k "lasso and not cv"
    python tests/sklearn_compat/run.py --keep /tmp/skc   # keep the copies, the
                                                         # junit xml and pytest's output
    python tests/sklearn_compat/run.py --update          # rewrite the list with
                                                         # the current failures

The last line printed has the form::

    sklearn-compat: N passed, N failed (N expected, N unexpected), N skipped, N stale
"""
import argparse
import ast
import importlib
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

#: Test files copied from ``sklearn/linear_model/tests/``.
SKLEARN_TEST_FILES = (
    "test_coordinate_descent.py",
    "test_sparse_coordinate_descent.py",
    "test_ridge.py",
    "test_common.py",
)

#: The checked-in list of tests that are expected to fail, with reasons.
EXPECTED_FAILURES = Path(__file__).resolve().parent / "expected_failures.txt"

#: Value of SKLEARN_TESTS_GLOBAL_RANDOM_SEED (scikit-learn's default is 42).
GLOBAL_RANDOM_SEED = "42"

#: Environment for the pytest subprocess. SCIPY_ARRAY_API=1 lets the
#: numpy-namespace array API tests run instead of being skipped (as in
#: fastreg's own test suite).
PYTEST_ENV = {
    "SKLEARN_TESTS_GLOBAL_RANDOM_SEED": GLOBAL_RANDOM_SEED,
    "SKLEARN_SKIP_NETWORK_TESTS": "1",
    "SCIPY_ARRAY_API": "1",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}

#: Generated modules: the one standing in for ``sklearn.linear_model``, and
#: one holding it as its attribute ``linear_model`` (so that every rewritten
#: import is a from-import, which can span lines in parentheses).
MODULE_SHIM = "_fastreg_linear_model"
NAMESPACE_SHIM = "_fastreg_shim"

#: Category words a reason in the list may begin with.
CATEGORIES = ("internals", "not-claimed", "tolerance", "extension", "TODO")

LIST_HEADER = """\
# scikit-learn linear_model tests that fail against fastreg, one per line:
#   <test id> # <category>: <reason>
# Categories: internals, not-claimed, tolerance (with the measured gaps),
# extension, TODO (to triage or fix; fails the run). See README.md in this folder.
# Regenerate with: python tests/sklearn_compat/run.py --update
"""


# --------------------------------------------------------------------------
# rewriting the imports
# --------------------------------------------------------------------------
def fastreg_exports():
    """The public names of fastreg (``fastreg.__all__`` without dunders)."""
    import fastreg

    return sorted(name for name in fastreg.__all__ if not name.startswith("_"))


def shim_sources(exports):
    """Sources of the generated modules, by file name."""
    module = (
        '"""sklearn.linear_model with fastreg\'s public names in front.\n\n'
        'Generated by tests/sklearn_compat/run.py.\n"""\n'
        "import sklearn.linear_model as _sklearn_linear_model\n"
        "from sklearn.linear_model import *  # noqa: F403\n"
        f"from fastreg import {', '.join(exports)}  # noqa: F401\n\n"
        f"__all__ = sorted(set(_sklearn_linear_model.__all__) | {set(exports)!r})\n\n\n"
        "def __getattr__(name):\n"
        "    # private names and submodules: scikit-learn's\n"
        "    return getattr(_sklearn_linear_model, name)\n"
    )
    namespace = (
        f'"""Generated by tests/sklearn_compat/run.py."""\n'
        f"import {MODULE_SHIM} as linear_model  # noqa: F401\n"
    )
    conftest = (
        f'"""Generated by tests/sklearn_compat/run.py: records pytest\'s rootdir."""\n'
        "from pathlib import Path\n\n\n"
        "def pytest_configure(config):\n"
        "    text = f\"{config.rootpath}\\n{config.inipath}\\n\"\n"
        "    (Path(__file__).parent / \"rootdir.txt\").write_text(text)\n"
    )
    return {f"{MODULE_SHIM}.py": module, f"{NAMESPACE_SHIM}.py": namespace,
            "conftest.py": conftest}


def _alias_text(alias):
    return alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"


def _is_fastreg_name(module, name, exports):
    """Whether ``from <module> import <name>`` should come from fastreg."""
    if name not in exports:
        return False
    if module == "sklearn.linear_model":
        return True
    # a private submodule: swap only if it holds the public object itself
    import sklearn.linear_model

    try:
        mod = importlib.import_module(module)
    except ImportError:
        return True
    public = getattr(sklearn.linear_model, name, None)
    return public is not None and getattr(mod, name, None) is public


def _replacement(plain, froms, n_lines):
    """Simple statements on one logical line spanning ``n_lines`` lines.

    ``plain`` are ``import ...`` statements, ``froms`` (module, names) pairs
    of from-imports; the last from-import is parenthesised, its parentheses
    holding the extra newlines, so the text takes as many lines as the
    statement it replaces.
    """
    parts = list(plain)
    *first, (module, names) = froms
    parts += [f"from {m} import {', '.join(n)}" for m, n in first]
    if names == ["*"]:
        parts.append(f"from {module} import " + " \\\n" * (n_lines - 1) + "*")
    elif n_lines > 1:
        parts.append(f"from {module} import (" + "\n" * (n_lines - 1) + f"{', '.join(names)})")
    else:
        parts.append(f"from {module} import {', '.join(names)}")
    return "; ".join(parts)


def rewrite_imports(source, exports):
    """Rewrite a test file so that fastreg's exports replace scikit-learn's.

    Parameters
    ----------
    source : str
        The test file's text.
    exports : list of str
        The public names of fastreg.

    Returns
    -------
    new_source : str
        The rewritten text, with the same number of lines; every line not
        holding a rewritten import or attribute is unchanged.
    swapped : list of str
        The names now taken from fastreg, and the ``linear_model`` module
        bindings, in order of appearance.
    """
    exports = set(exports)
    tree = ast.parse(source)
    edits = []  # (lineno, col, end_lineno, end_col, new text); cols in bytes
    swapped = []

    for node in ast.walk(tree):
        plain, froms = [], []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            if module == "sklearn.linear_model" or module.startswith("sklearn.linear_model."):
                if node.names[0].name == "*":
                    froms = [(MODULE_SHIM, ["*"])]
                    swapped.append((node.lineno, node.col_offset, "*"))
                else:
                    ours = [a for a in node.names if _is_fastreg_name(module, a.name, exports)]
                    theirs = [_alias_text(a) for a in node.names if a not in ours]
                    froms = [(module, theirs)] if theirs else []
                    froms += [("fastreg", [_alias_text(a) for a in ours])] if ours else []
                    swapped += [(node.lineno, node.col_offset, a.name) for a in ours]
            elif module == "sklearn":
                ours = [a for a in node.names if a.name == "linear_model"]
                theirs = [_alias_text(a) for a in node.names if a not in ours]
                if ours:
                    froms = ([(module, theirs)] if theirs else []) + [
                        (NAMESPACE_SHIM, [_alias_text(a) for a in ours])]
                    swapped += [(node.lineno, node.col_offset, f"{a.asname or a.name} (module)")
                                for a in ours]
        elif isinstance(node, ast.Import):
            # plain "import sklearn.linear_model" binds sklearn: see attributes below
            ours = [a for a in node.names if a.name == "sklearn.linear_model" and a.asname]
            theirs = [_alias_text(a) for a in node.names if a not in ours]
            if ours:
                plain = [f"import {', '.join(theirs)}"] if theirs else []
                froms = [(NAMESPACE_SHIM, [f"linear_model as {a.asname}" for a in ours])]
                swapped += [(node.lineno, node.col_offset, f"{a.asname} (module)") for a in ours]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in exports
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "linear_model"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "sklearn"
        ):
            inner = node.value
            edits.append((inner.lineno, inner.col_offset, inner.end_lineno,
                          inner.end_col_offset, f'__import__("{MODULE_SHIM}")'))
            swapped.append((node.lineno, node.col_offset, f"sklearn.linear_model.{node.attr}"))
        if not any(m in ("fastreg", MODULE_SHIM, NAMESPACE_SHIM) for m, _ in froms):
            continue
        n_lines = node.end_lineno - node.lineno + 1
        edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset,
                      _replacement(plain, froms, n_lines)))

    # apply the edits on the UTF-8 bytes (ast's column offsets count bytes)
    data = source.encode("utf-8")
    line_starts = [0]
    for line in data.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    for lineno, col, end_lineno, end_col, text in sorted(edits, reverse=True):
        start = line_starts[lineno - 1] + col
        end = line_starts[end_lineno - 1] + end_col
        data = data[:start] + text.encode("utf-8") + data[end:]
    new_source = data.decode("utf-8")
    if new_source.count("\n") != source.count("\n"):
        raise RuntimeError("rewriting the imports moved line numbers")
    ast.parse(new_source)  # must still be valid Python
    return new_source, [name for _, _, name in sorted(swapped)]


def prepare(directory, exports):
    """Copy the test files into ``directory``, rewritten, with the shim."""
    import sklearn

    source_dir = Path(sklearn.__file__).resolve().parent / "linear_model" / "tests"
    print(f"scikit-learn {sklearn.__version__} tests from {source_dir}")
    print(f"fastreg exports: {', '.join(exports)}")
    for name, text in shim_sources(exports).items():
        (directory / name).write_text(text)
    (directory / "pytest.ini").write_text("[pytest]\n")
    for name in SKLEARN_TEST_FILES:
        new_source, swapped = rewrite_imports((source_dir / name).read_text(), exports)
        (directory / name).write_text(new_source)
        listed = f" ({', '.join(swapped)})" if swapped else ""
        print(f"  {name}: {len(swapped)} names swapped{listed}")


# --------------------------------------------------------------------------
# running pytest and reading its junit xml
# --------------------------------------------------------------------------
def run_pytest(directory, keyword, verbose):
    """Run pytest on the copies; return (return code, junit path, seconds)."""
    junit = directory / "junit.xml"
    log = directory / "pytest-output.txt"
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        "-p", "sklearn.conftest", "-c", str(directory / "pytest.ini"),
        "--rootdir", str(directory), f"--junitxml={junit}",
        "-o", "junit_family=xunit2", "--continue-on-collection-errors",
        "--tb=short", "--disable-warnings",
    ]
    if keyword:
        cmd += ["-k", keyword]
    cmd += list(SKLEARN_TEST_FILES)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env.update(PYTEST_ENV)
    for stale_output in (junit, directory / "rootdir.txt"):
        stale_output.unlink(missing_ok=True)
    print(f"running pytest in {directory} (output in {log.name}) ...", flush=True)
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=directory, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            out.write(line)
            if verbose:
                sys.stdout.write(line)
        proc.wait()
    seconds = time.perf_counter() - start
    recorded = directory / "rootdir.txt"  # written by the generated conftest.py
    if recorded.exists():
        rootdir, inipath = recorded.read_text().splitlines()
        if Path(rootdir) != directory or Path(inipath) != directory / "pytest.ini":
            print(f"pytest ran with rootdir {rootdir} and configuration {inipath}, "
                  f"not {directory} and its pytest.ini")
            return None, junit, seconds
    return proc.returncode, junit, seconds


def _first_line(message):
    """The first informative line of an error message."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    if not lines:
        return "(no message)"
    first = lines[0]
    if first.endswith(":") and len(lines) > 1:
        first = f"{first} {lines[1]}"
    return first[:300]


def read_junit(path):
    """Per-test outcomes from pytest's junit xml.

    Returns
    -------
    outcomes : dict
        test id (``file::test[params]``) -> (outcome, first error line),
        outcome one of "passed", "failed", "skipped".
    """
    outcomes = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        classname, name = case.get("classname", ""), case.get("name", "")
        if classname:
            module, *classes = classname.split(".")
            test_id = "::".join([module + ".py", *classes, name])
        else:  # a collection error of a whole file
            test_id = name if name.endswith(".py") else name + ".py"
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        if bad is not None:
            message = bad.get("message") or bad.text
            if message == "collection failure" and bad.text:
                message = bad.text.strip().splitlines()[-1]  # the exception line
            outcome, message = "failed", _first_line(message)
        elif case.find("skipped") is not None:
            outcome, message = "skipped", ""
        else:
            outcome, message = "passed", ""
        if outcomes.get(test_id, ("passed",))[0] != "failed":  # teardown errors
            outcomes[test_id] = (outcome, message)
    return outcomes


# --------------------------------------------------------------------------
# the list of expected failures
# --------------------------------------------------------------------------
def read_list(path):
    """The expected failures: dict test id -> reason (in file order)."""
    expected = {}
    if not path.exists():
        return expected
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        test_id, _, reason = line.partition(" # ")
        expected[test_id.strip()] = reason.strip() or "TODO: no reason given"
    return expected


def write_list(path, expected):
    """Write the expected failures, sorted by test id."""
    lines = [f"{test_id} # {expected[test_id]}" for test_id in sorted(expected)]
    path.write_text(LIST_HEADER + "\n".join(lines) + ("\n" if lines else ""))


def category(reason):
    """The category word a reason begins with ("other" if none is known)."""
    word = reason.split(":", 1)[0].strip()
    return word if word in CATEGORIES else "TODO"  # an unknown word is untriaged


# --------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Run scikit-learn's linear_model tests against fastreg.")
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="work in DIR (created if needed) and keep it")
    parser.add_argument("-k", dest="keyword", metavar="EXPR",
                        help="only run tests matching EXPR (passed to pytest -k)")
    parser.add_argument("--update", action="store_true",
                        help="rewrite expected_failures.txt with the current failures")
    parser.add_argument("--list", type=Path, default=EXPECTED_FAILURES,
                        help="the list of expected failures (default: %(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also show pytest's output")
    args = parser.parse_args(argv)

    exports = fastreg_exports()
    if args.keep:
        directory = args.keep.resolve()
        directory.mkdir(parents=True, exist_ok=True)
        tmp = None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="sklearn-compat-")
        directory = Path(tmp.name).resolve()
    try:
        prepare(directory, exports)
        returncode, junit, seconds = run_pytest(directory, args.keyword, args.verbose)
        if returncode not in (0, 1) or not junit.exists():
            print((directory / "pytest-output.txt").read_text()[-3000:])
            print(f"pytest could not run the tests (exit status {returncode})")
            return 2
        outcomes = read_junit(junit)
    finally:
        if tmp is not None:
            tmp.cleanup()
        else:
            print(f"kept {directory}")

    expected = read_list(args.list)
    failed = {t: m for t, (o, m) in outcomes.items() if o == "failed"}
    n_passed = sum(o == "passed" for o, _ in outcomes.values())
    n_skipped = sum(o == "skipped" for o, _ in outcomes.values())
    unexpected = sorted(set(failed) - set(expected))
    hit = sorted(set(failed) & set(expected))
    broken_files = {t for t in failed if "::" not in t}  # collection errors
    stale = []
    for test_id in expected:
        if test_id in failed or test_id.split("::")[0] in broken_files:
            continue
        if test_id in outcomes:
            stale.append((test_id, outcomes[test_id][0]))
        elif not args.keyword:  # in a full run, a listed test must exist
            stale.append((test_id, "not collected"))

    for test_id in unexpected:
        print(f"unexpected failure: {test_id}\n    {failed[test_id]}")
    for test_id, outcome in stale:
        print(f"stale entry: {test_id} ({outcome})")

    if args.update:
        new = {t: r for t, r in expected.items()
               if t in failed or (args.keyword and t not in outcomes)}
        for test_id in unexpected:
            new[test_id] = f"TODO: {failed[test_id][:200]}"
        write_list(args.list, new)
        print(f"updated {args.list}: {len(unexpected)} added, "
              f"{len(expected) - (len(new) - len(unexpected))} removed")

    counts = Counter(category(expected[t]) for t in hit)
    print(f"pytest took {seconds:.0f} s")
    print("expected failures by category: "
          + ", ".join(f"{c}={counts.get(c, 0)}" for c in CATEGORIES))
    print(f"sklearn-compat: {n_passed} passed, {len(failed)} failed "
          f"({len(hit)} expected, {len(unexpected)} unexpected), "
          f"{n_skipped} skipped, {len(stale)} stale")
    untriaged = [t for t in hit if category(expected[t]) == "TODO"]
    for test_id in untriaged:
        print(f"untriaged entry: {test_id} # {expected[test_id]}")
    if args.update:
        return 0
    return 1 if unexpected or stale or untriaged else 0


if __name__ == "__main__":
    sys.exit(main())
