"""The package's layering, read from its source: every import points down.

Parses every module of ``fastreg/`` (Python imports anywhere in a module,
function-level ones included, since a lazy import is a dependency too; and the
``import``/``cimport`` lines of the Cython ``.pyx``/``.pxd`` files) and checks
that the import graph has no cycle and that no compiled kernel imports a
Python module of the package (kernels may cimport each other's declarations).
"""
import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fastreg"
_CYTHON_IMPORT = re.compile(r"^\s*(?:from\s+(\S+)\s+(c?import)\s+(.+)|(c?import)\s+(.+))$")


def _module_name(path):
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules():
    """{dotted name: (path, kind)} with kind 'py', 'pyx' or 'pxd'."""
    out = {}
    for path in PACKAGE.rglob("*"):
        if path.suffix in (".py", ".pyx", ".pxd") and "__pycache__" not in path.parts:
            name = _module_name(path)
            # a .pyx and its .pxd share a name: the .pyx is the module
            if name not in out or path.suffix == ".pyx":
                out[name] = (path, path.suffix[1:])
    return out


def _resolve(current, level, target, is_package):
    """Absolute name of ``from <level dots><target>`` inside module ``current``."""
    if level == 0:
        return target
    base = current.split(".") if is_package else current.split(".")[:-1]
    base = base[:len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([target] if target else []))


def _candidates(base, names, known):
    """The package modules an import of ``names`` from ``base`` refers to."""
    found = set()
    for name in names:
        sub = f"{base}.{name}" if base else name
        if sub in known:
            found.add(sub)
        elif base in known:
            found.add(base)
    if not names and base in known:
        found.add(base)
    return found


def _python_imports(name, path, known):
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    deps = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                deps |= _candidates(alias.name, [], known) or {
                    m for m in known if alias.name.startswith(m + ".")}
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, node.level, node.module or "", is_package)
            deps |= _candidates(base, [a.name for a in node.names], known)
    return {d for d in deps if d.startswith("fastreg") and d != name}


def _cython_imports(name, path, known):
    """(Python imports, cimports) of package modules in a .pyx/.pxd file."""
    py, c = set(), set()
    for line in path.read_text().splitlines():
        m = _CYTHON_IMPORT.match(line.split("#", 1)[0].rstrip())
        if not m:
            continue
        if m.group(1):
            level = len(m.group(1)) - len(m.group(1).lstrip("."))
            base = _resolve(name, level, m.group(1).lstrip("."), False)
            names = [n.strip().split(" as ")[0] for n in m.group(3).strip("()").split(",")]
            kind = m.group(2)
        else:
            level, kind = 0, m.group(4)
            base, names = m.group(5).split(" as ")[0].strip(), []
        targets = {t for t in _candidates(base, names, known)
                   if t.startswith("fastreg") and t != name}
        (c if kind == "cimport" else py).update(targets)
    return py, c


def _graph():
    known = _modules()
    graph, kernel_py_imports = {}, {}
    for name, (path, kind) in known.items():
        if kind == "py":
            graph[name] = _python_imports(name, path, known)
        else:
            py, c = _cython_imports(name, path, known)
            graph[name] = py | c
            kernel_py_imports[name] = {d for d in py if known[d][1] == "py"}
    return known, graph, kernel_py_imports


def _cycles(graph):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_parser_sees_the_package():
    known, graph, kernel = _graph()
    assert "fastreg" in known and "fastreg._enet_solver" in known
    assert any(kind == "pyx" for _, kind in known.values())
    # the estimators reach the driver, and the driver the kernels
    assert "fastreg._enet_solver" in graph["fastreg._coordinate_descent"]
    assert any(known[d][1] == "pyx" for d in graph["fastreg._enet_solver"])


def test_no_import_cycle():
    _, graph, _ = _graph()
    # the package's __init__ imports the public names from below: not a cycle
    graph = {k: {d for d in v if d != "fastreg"} for k, v in graph.items()}
    assert _cycles(graph) == []


def test_kernels_are_leaves():
    _, _, kernel_py_imports = _graph()
    offenders = {k: sorted(v) for k, v in kernel_py_imports.items() if v}
    assert offenders == {}


def test_cycle_detection_works():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("line, expected", [
    ("from ._penalty import kernel_arrays", ({"fastreg._penalty"}, set())),
    ("from ._blas cimport dot", (set(), {"fastreg._blas"})),
    ("cimport numpy as cnp", (set(), set())),
])
def test_cython_import_lines(tmp_path, line, expected):
    known = {"fastreg._penalty": None, "fastreg._blas": None, "fastreg._k": None}
    f = tmp_path / "_k.pyx"
    f.write_text(line + "\n")
    assert _cython_imports("fastreg._k", f, known) == expected
