"""pytest-odoo glue for Odoo 18.

Odoo's own test runner sets ``odoo.modules.module.current_test`` while a test
runs; Odoo relies on it (e.g. the mail server does not open SMTP connections in
tests). pytest-odoo only does so from Odoo 19 on, so do it here.
"""

import pytest


@pytest.fixture(autouse=True)
def _odoo_current_test(request):
    try:
        from odoo.modules import module
    except ImportError:  # pure tests (legal rules) run without Odoo
        yield
        return
    previous = module.current_test
    module.current_test = request.node.name
    yield
    module.current_test = previous
