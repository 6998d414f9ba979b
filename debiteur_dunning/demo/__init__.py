from . import account_chart_template
from . import debiteur_payment_match_demo
