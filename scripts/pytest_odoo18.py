"""pytest plugin that scripts/run-tests loads (``-p pytest_odoo18``): what Odoo
18's own test runner does and pytest-odoo 2.3.0 does not.

- It sets ``odoo.modules.module.current_test`` to the running test (pytest-odoo
  does so on Odoo 19 only). Without it, Odoo 18 really connects to an SMTP
  server when a test sends mail, and HTTP test cursors are not checked. It is
  set before the class setup, so ``setUpClass`` is covered too.
- It drops the ERROR (with a stack) that Odoo logs when pytest-odoo imports
  ``odoo.tests`` before the test mode is on.
"""

import logging

import pytest

import odoo.modules.module


def _not_import_warning(record):
    return not record.getMessage().startswith("Importing test framework")


logging.getLogger("odoo.tests.common").addFilter(_not_import_warning)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    from odoo.tests import BaseCase  # after pytest-odoo has read the Odoo config

    test = getattr(item, "instance", None)
    odoo.modules.module.current_test = test if isinstance(test, BaseCase) else False


def pytest_sessionfinish(session):
    odoo.modules.module.current_test = False
