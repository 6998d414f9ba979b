from odoo import api, models
from odoo.exceptions import AccessError

# Fields every model has, and those of the chatter: not proof.
_FREE_FIELDS = frozenset(models.MAGIC_COLUMNS) | {"display_name"}

GROUP_USER = "debiteur_dunning.group_debiteur_user"
GROUP_MANAGER = "debiteur_dunning.group_debiteur_manager"


def require_group(env, xmlid):
    """Refuse an action to a user outside the group ``xmlid`` (checked on the
    server: a client can call any public method over RPC)."""
    if env.su or env.user.has_group(xmlid):
        return
    raise AccessError(
        env._(
            "Only members of the group %(group)s may do this.",
            group=env.ref(xmlid).sudo().full_name,
        )
    )


class DebiteurProofMixin(models.AbstractModel):
    """Records that are evidence (reminders, their lines, runs): written by the
    server's own code paths only, which do so through ``sudo()`` after checking
    the user's group. Clients get read access: a ``create``, an ``unlink`` or a
    ``write`` of one of the model's own fields by a client is refused, whatever
    its rights.
    """

    _name = "debiteur.proof.mixin"
    _description = "Dunning Evidence (server-written)"

    @api.model
    def _debiteur_proof_fields(self):
        """The fields only the server writes: the model's own stored fields,
        less those of the chatter and the activities."""
        free = set(_FREE_FIELDS)
        for mixin in ("mail.thread", "mail.activity.mixin"):
            if mixin in self.env:
                free.update(self.env[mixin]._fields)
        return {
            name
            for name, field in self._fields.items()
            if name not in free and (field.store or field.type == "one2many")
        }

    def _debiteur_raise_proof(self):
        raise AccessError(
            self.env._(
                "%(model)s records are evidence: only the dunning run, its "
                "wizards and actions may create or change them.",
                model=self.env["ir.model"]._get(self._name).name,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._debiteur_raise_proof()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and set(vals) & self._debiteur_proof_fields():
            self._debiteur_raise_proof()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _debiteur_unlink_only_by_server(self):
        # Evidence is cancelled (with a reason), never deleted by a client.
        if not self.env.su:
            self._debiteur_raise_proof()
