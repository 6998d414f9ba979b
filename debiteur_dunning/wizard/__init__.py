from . import debiteur_dunning_wizard
from . import debiteur_communication_cancel_wizard
from . import debiteur_block_wizard
from . import debiteur_vat_relief_wizard
from . import debiteur_arrangement_wizard
from . import debiteur_waive_wizard
from . import debiteur_case_promise_wizard
from . import debiteur_case_dispute_wizard
