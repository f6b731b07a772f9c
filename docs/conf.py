"""Sphinx configuration of fastreg's documentation.

Build (from the repository root, with ``pip install -e ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""
import os
import sys
from datetime import date

import fastreg

# The repository root, so that sphinx-gallery finds ``examples/``.
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)

project = "fastreg"
author = "the fastreg developers"
copyright = f"{date.today().year}, {author}"
release = fastreg.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "architecture.md", "bench-quick/report.md",
                    "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5",
                    "auto_examples/*.json"]
default_role = "py:obj"

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

# No intersphinx: the build stays offline and hermetic (references to
# scikit-learn, NumPy and SciPy render as literals).

# -- sphinx-gallery -----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": os.path.join(ROOT, "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "abort_on_example_error": True,
    "show_memory": False,
    "min_reported_time": 0,
    "doc_module": ("fastreg",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"fastreg": None},
}

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"fastreg {release}"
html_static_path = ["_static"]
html_css_files = ["fastreg.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "comparison": [], "user_guide/performance": []}


# -- docstring text that docutils would misread -------------------------------
def _escape_trailing_underscore_names(app, what, name, obj, options, lines):
    """Quote ``n_features_in_`` in shapes such as ``(n_features_in_,)``.

    In a numpydoc type such as ``ndarray of shape (n_features_in_,)`` the
    trailing underscore makes docutils read a hyperlink reference to a target
    that does not exist. The docstrings keep scikit-learn's wording; the site
    renders the name as a literal.
    """
    for i, line in enumerate(lines):
        if "(n_features_in_," in line:
            lines[i] = line.replace("(n_features_in_,", "(``n_features_in_``,")


def setup(app):
    app.connect("autodoc-process-docstring", _escape_trailing_underscore_names,
                priority=400)
