from . import debiteur_dunning_wizard
from . import debiteur_communication_cancel_wizard
from . import debiteur_block_wizard
