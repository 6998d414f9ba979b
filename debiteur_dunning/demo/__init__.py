from . import debiteur_payment_match_demo
