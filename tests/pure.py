"""The addon's pure modules (no Odoo import), loaded from their files for the
tests that run without a database (``-p no:odoo``): the addon's own
``__init__`` imports Odoo, so they are not imported through it."""

import importlib.util
import sys
from pathlib import Path

ADDON = Path(__file__).resolve().parent.parent / "debiteur_dunning"


def load_pure(relative, name):
    """The module or package ``debiteur_dunning/<relative>`` as ``name``,
    loaded once per process."""
    if name not in sys.modules:
        path = ADDON / relative
        if path.is_dir():
            spec = importlib.util.spec_from_file_location(
                name, path / "__init__.py", submodule_search_locations=[str(path)]
            )
        else:
            spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
