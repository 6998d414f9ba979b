"""The layers of the engine stay apart: tests over the source files only.

- the engine proposes and applies; sending (``debiteur_dispatch.py``), the
  scheduler (``debiteur_run.py``) and the wkhtmltopdf workarounds
  (``report_pdf.py``) live in rooms of their own, none over 900 lines;
- the engine names no later feature: those answer through hooks
  (``account.move._debiteur_not_paused_domain``, ``res.partner``'s
  ``_debiteur_hold_reasons`` and ``_debiteur_after_reminders``);
- ``report_pdf.py`` is pure: it imports nothing from Odoo.

No database: runs under plain pytest (``python3 -m pytest -p no:odoo
tests/test_layers.py``) and under pytest-odoo.
"""

import ast
import re
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parent.parent / "debiteur_dunning"
ENGINE = ADDON / "models" / "debiteur_engine.py"
ROOMS = [
    ENGINE,
    ADDON / "models" / "debiteur_dispatch.py",
    ADDON / "models" / "debiteur_run.py",
    ADDON / "report_pdf.py",
]
MAX_LINES = 900
LATER_FEATURES = ("arrangement", "handoff", "dispute", "debiteur.case")


@pytest.mark.parametrize("path", ROOMS, ids=lambda path: path.name)
def test_room_fits(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name}: {lines} lines (> {MAX_LINES})"


@pytest.mark.parametrize("word", LATER_FEATURES)
def test_engine_names_no_later_feature(word):
    source = ENGINE.read_text()
    found = [
        number
        for number, line in enumerate(source.splitlines(), start=1)
        if re.search(re.escape(word), line, re.IGNORECASE)
    ]
    assert not found, f"debiteur_engine.py names {word!r} on lines {found}"


def test_report_pdf_imports_no_odoo():
    path = ADDON / "report_pdf.py"
    modules = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, "report_pdf.py imports from the addon"
            modules.append(node.module)
    assert modules
    for module in modules:
        assert module.split(".")[0] != "odoo", f"report_pdf.py imports {module}"
