from odoo import api, fields, models

STAGE_CODES = [
    ("to_remind", "To remind"),
    ("reminded", "Reminded"),
    ("formal_notice", "Formal notice"),
    ("arrangement", "Arrangement"),
    ("ready_collection", "Ready for Collection Agency"),
    ("collection", "Collection agency"),
    ("disputed", "Disputed"),
    ("closed", "Closed"),
]


class DebiteurCaseStage(models.Model):
    """A column of the follow-up kanban. The code ties it to the facts."""

    _name = "debiteur.case.stage"
    _description = "Debtor Case Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(
        string="Folded in Kanban", help="The column is folded in the kanban."
    )
    code = fields.Selection(
        STAGE_CODES,
        required=True,
        index=True,
        help="What the stage means: the cases are moved here by the facts "
        "(reminders sent, arrangements, payments), not by hand.",
    )

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "Each kind of stage exists only once."),
    ]

    @api.model
    def _by_code(self):
        """{code: stage} of every stage (one query)."""
        return {stage.code: stage for stage in self.search([])}
