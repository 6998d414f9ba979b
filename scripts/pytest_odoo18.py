"""pytest plugin loaded by scripts/run-tests (``-p pytest_odoo18``).

Odoo's own test runner sets ``odoo.modules.module.current_test`` to the running
test; pytest-odoo 2.3.0 does so only on Odoo 19 and later. Without it, Odoo 18
really connects to an SMTP server when a test sends mail, and HTTP test cursors
are not checked. This plugin sets it as Odoo 18's runner does (before the
class setup, so ``setUpClass`` is covered too).
"""

import odoo.modules.module
import pytest
from odoo.tests import BaseCase


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    test = getattr(item, "instance", None)
    odoo.modules.module.current_test = test if isinstance(test, BaseCase) else False


def pytest_sessionfinish(session):
    odoo.modules.module.current_test = False
