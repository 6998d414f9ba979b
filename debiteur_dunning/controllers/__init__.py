from . import debiteur_handoff
