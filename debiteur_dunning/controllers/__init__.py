from . import debiteur_handoff
from . import debtor_page
