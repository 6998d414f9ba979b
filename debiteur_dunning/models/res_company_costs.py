from odoo import fields, models

COSTS_PRODUCT_XMLID = "debiteur_dunning.product_debiteur_costs"
INTEREST_PRODUCT_XMLID = "debiteur_dunning.product_debiteur_interest"


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    debiteur_costs_product_id = fields.Many2one(
        "product.product",
        string="Collection Costs Product",
        domain="[('type', '=', 'service'), '|', ('company_id', '=', False), "
        "('company_id', '=', id)]",
        help="Product of the collection-costs line of the costs invoices: its "
        "income account and, when VAT is charged on costs, its sale taxes.",
    )
    debiteur_interest_product_id = fields.Many2one(
        "product.product",
        string="Interest Product",
        domain="[('type', '=', 'service'), '|', ('company_id', '=', False), "
        "('company_id', '=', id)]",
        help="Product of the interest line of the costs invoices: its income "
        "account. Interest never carries VAT.",
    )

    def _debiteur_cost_products(self):
        """The (collection costs, interest) products of this company.

        The company's settings, or the products shipped with the module.
        """
        self.ensure_one()
        costs = self.debiteur_costs_product_id or self.env.ref(
            COSTS_PRODUCT_XMLID, raise_if_not_found=False
        )
        interest = self.debiteur_interest_product_id or self.env.ref(
            INTEREST_PRODUCT_XMLID, raise_if_not_found=False
        )
        return (
            costs or self.env["product.product"],
            interest or self.env["product.product"],
        )
