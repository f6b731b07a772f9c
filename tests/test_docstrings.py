"""The public API's docstrings follow numpydoc and say what the signatures say.

For every public class (its ``__init__`` parameters, its public methods) and
function of ``fastreg.__all__``: a one-line summary, a ``Parameters`` section
that documents exactly the parameters of the signature (in order, ``*args``
and ``**kwargs`` written as such), and a ``Returns`` section for functions and
for methods that return something other than ``self``; classes document their
fitted ``Attributes``.
"""
import inspect
import re

import pytest

import fastreg

_HEADER = re.compile(r"^(\w[\w ]*)\n-{3,}$", re.M)


def _sections(doc):
    """{section title: body} of a numpydoc docstring (already dedented)."""
    doc = inspect.cleandoc(doc)
    marks = [(m.start(), m.end(), m.group(1)) for m in _HEADER.finditer(doc)]
    out = {}
    for k, (start, end, title) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else len(doc)
        out[title] = doc[end:stop]
    out["_summary"] = doc[:marks[0][0]] if marks else doc
    return out


def _documented_names(body):
    """Names at the start of the unindented ``name : type`` lines of a section
    (``a, b : type`` documents both)."""
    names = []
    for line in body.splitlines():
        if not line or line[0].isspace():
            continue
        head = line.split(" : ")[0].strip()
        names.extend(n.strip() for n in head.split(","))
    return names


def _signature_names(func):
    names = []
    for p in inspect.signature(func).parameters.values():
        if p.name == "self":
            continue
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        names.append(prefix + p.name)
    return names


def _public_objects():
    for name in fastreg.__all__:
        obj = getattr(fastreg, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield name, obj


def _check_parameters(qualname, func, doc):
    sections = _sections(doc)
    assert sections["_summary"].strip(), f"{qualname}: no summary line"
    expected = _signature_names(func)
    if not expected:
        return sections
    assert "Parameters" in sections, f"{qualname}: no Parameters section"
    documented = _documented_names(sections["Parameters"])
    assert documented == expected, f"{qualname}: documented {documented}, signature {expected}"
    return sections


def _methods(cls):
    for name, member in inspect.getmembers(cls, inspect.isfunction):
        if name.startswith("_") or name not in vars(cls) and not any(
                name in vars(base) for base in cls.__mro__[1:] if
                base.__module__.startswith("fastreg")):
            continue
        if name in ("get_params", "set_params", "score") or name.startswith("set_"):
            continue  # scikit-learn's own
        yield name, member


@pytest.mark.parametrize("name, obj", list(_public_objects()))
def test_numpydoc(name, obj):
    if inspect.isfunction(obj):
        sections = _check_parameters(name, obj, obj.__doc__ or "")
        assert "Returns" in sections, f"{name}: no Returns section"
        return
    sections = _check_parameters(name, obj.__init__, obj.__doc__ or "")
    assert "Attributes" in sections, f"{name}: no Attributes section"
    for meth_name, meth in _methods(obj):
        if isinstance(inspect.getattr_static(obj, meth_name), staticmethod):
            continue  # ``path``: documented as the path function itself
        qual = f"{name}.{meth_name}"
        msections = _check_parameters(qual, meth, meth.__doc__ or "")
        assert "Returns" in msections, f"{qual}: no Returns section"


def test_parser_reads_sections():
    doc = """Summary.

    Parameters
    ----------
    a, b : int
        Two.
    **kw : dict
        More.

    Returns
    -------
    out : int
    """
    s = _sections(doc)
    assert _documented_names(s["Parameters"]) == ["a", "b", "**kw"]
    assert "Returns" in s and s["_summary"].strip() == "Summary."
