from odoo import fields, models
from odoo.tools import SQL


class DebiteurInvoiceLinkMixin(models.AbstractModel):
    """An invoice in a set that takes it out of dunning for a while: a payment
    arrangement (``debiteur.arrangement.invoice``) or a collection-agency
    handoff (``debiteur.handoff.invoice``).

    One row per invoice and set, kept after the set ends. The link model
    relates ``company_id``, ``currency_id`` and ``state`` to its set; the
    stored copy of the set's state carries a partial unique index
    (``_link_unique_index``, on the rows in ``_link_unique_states``) that lets
    PostgreSQL guarantee an invoice is in at most one open set, whatever the
    number of concurrent transactions.
    """

    _name = "debiteur.invoice.link.mixin"
    _description = "Invoice in a Set (Arrangement, Handoff)"
    _check_company_auto = True

    _link_unique_index = None
    _link_unique_states = ()

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    # Each link model relates these to its set.
    company_id = fields.Many2one("res.company")
    currency_id = fields.Many2one("res.currency")
    amount_residual_start = fields.Monetary(readonly=True)
    amount_residual = fields.Monetary(
        related="move_id.amount_residual", string="Open Now"
    )
    invoice_date_due = fields.Date(related="move_id.invoice_date_due")

    def init(self):
        if not self._link_unique_index:
            return
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (move_id) "
                "WHERE state IN %s",
                SQL.identifier(self._link_unique_index),
                SQL.identifier(self._table),
                tuple(self._link_unique_states),
            )
        )
