from . import controllers
from . import models
from . import demo
from . import wizard


def _post_init_hook(env):
    """Give every existing company its ready-to-use default policies."""
    env["res.company"].search([])._debiteur_ensure_default_policies()
