from odoo import api, models
from odoo.exceptions import AccessError
from odoo.osv.expression import AND
from odoo.tools import SQL

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


def _all_in_domain(records, domain):
    """Whether all ``records`` (sudo) match ``domain``, with their companies
    read alone (``fetch``) where they are not in the cache: filtering would
    otherwise load every column of every record (an invoice has a hundred)
    only to read its company."""
    records = records.with_context(active_test=False)
    if "company_id" in records._fields:
        records.fetch(["company_id"])
    return records == records.filtered_domain(domain)


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

    # ------------------------------------------------------------------
    # Bulk insert
    # ------------------------------------------------------------------
    @api.model
    def _debiteur_prepare_vals(self, vals_list):
        """Complete ``vals_list`` in place as the model's ``create()`` would
        before the insert (sequence numbers, references): called by both
        ``create()`` and ``_debiteur_insert``, so that they name records the
        same way. Nothing by default."""

    @api.model
    def _debiteur_insert(self, vals_list):
        """Create records from ``vals_list`` in one INSERT: ``create()`` of
        this model, for the engine's hot path.

        Where ``create()`` prepares each record alone (its defaults, the
        rounding of each amount through its currency, related fields, the
        chatter), thousands of reminder lines take seconds. Here the defaults
        are read once and every column goes as one array. What ``create()``
        does that matters is kept, in this one place:

        - names: ``_debiteur_prepare_vals`` (the hook ``create()`` calls too)
          gives the records their sequence numbers, drawn in one statement;
        - ``create_uid``/``write_uid``/``create_date``/``write_date``, and the
          defaults of the fields not given;
        - access rights and record rules, company consistency and the
          constraints (``_validate_fields``);
        - ``modified(create=True)``, so that what depends on the new records
          (an invoice's level) is recomputed, and the stored computed fields
          not given are computed by the ORM afterwards.

        Left out on purpose, as ``create()`` would do them with
        ``tracking_disable``: the chatter's creation message, subscribing the
        current user and the tracking of initial values. These records are
        created by the server (proof); their later changes (sending,
        cancelling) go through ``write()`` and are tracked.

        ``vals_list`` holds plain column values (ids, not commands): one2many
        lines are inserted by a second call on their own model.
        """
        Model = self
        if not vals_list:
            return Model
        vals_list = [dict(vals) for vals in vals_list]
        self._debiteur_prepare_vals(vals_list)
        Model.check_access("create")
        # Nothing pending may be lost when the caches are reset below.
        self.env.flush_all()
        stored = {
            name: fld
            for name, fld in Model._fields.items()
            if fld.store and fld.column_type and name != "id"
        }
        given = set().union(*vals_list)
        unknown = given - set(stored)
        if unknown:
            raise ValueError(f"{self._name}: not stored columns {sorted(unknown)}")
        now = self.env.cr.now()
        common = {
            name: value
            for name, value in Model.default_get(
                [n for n, f in stored.items() if not f.compute]
            ).items()
            if name in stored
        }
        common.update(
            create_uid=self.env.uid,
            write_uid=self.env.uid,
            create_date=now,
            write_date=now,
        )
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"{Model._table}_id_seq",
                len(vals_list),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        columns = [SQL.identifier("id")]
        arrays = [SQL("%s::int4[]", ids)]
        for name, fld in stored.items():
            if name in given:
                default = common.get(name)
                values = [vals.get(name, default) for vals in vals_list]
            elif name in common:
                values = [common[name]] * len(vals_list)
            else:
                continue
            if fld.type != "boolean":
                values = [None if value is False else value for value in values]
            columns.append(SQL.identifier(name))
            arrays.append(SQL("%s::%s[]", values, SQL(fld.column_type[1])))
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT * FROM unnest(%s)",
                SQL.identifier(Model._table),
                SQL(", ").join(columns),
                SQL(", ").join(arrays),
            )
        )
        records = Model.browse(ids)
        # Caches of one2many fields listing these records are stale now.
        self.env.invalidate_all(flush=False)
        records.modified(list(stored), create=True)
        for name, fld in stored.items():
            if not fld.compute:
                continue
            if name in given:
                # Given, as create() keeps a computed field's given value
                # (its dependencies just "changed" by the insert).
                self.env.remove_to_compute(fld, records)
            else:
                self.env.add_to_compute(fld, records)
        records._debiteur_check_rules("create")
        records._debiteur_check_company()
        records._validate_fields(list(stored))
        return records

    def _debiteur_check_rules(self, operation):
        """``check_access(operation)`` of many new records in one query: the
        record rules' domain searched among their ids, where ``check_access``
        filters them one by one in Python. Whatever it does not find, Odoo's
        own check refuses, with its own message."""
        if not self or self.env.su:
            return
        domain = self.env["ir.rule"]._compute_domain(self._name, operation)
        if not domain:
            return
        found = (
            self.sudo()
            .with_context(active_test=False)
            .search_count(AND([domain, [("id", "in", self.ids)]]))
        )
        if found != len(self):
            self.check_access(operation)

    def _debiteur_check_company(self):
        """``_check_company()`` of many new records, per company: the related
        records of each field are checked together against the company of the
        records that point to them, rather than record by record. Odoo's own
        check raises when something is wrong, with its own message."""
        fields_ = [
            fld for fld in self._fields.values() if fld.relational and fld.check_company
        ]
        if not fields_:
            return
        if "company_id" not in self._fields or any(
            fld.company_dependent for fld in fields_
        ):
            self._check_company()
            return
        for company, records in self.grouped("company_id").items():
            for fld in fields_:
                corecords = records.sudo().mapped(fld.name)
                if not corecords:
                    continue
                domain = corecords._check_company_domain(company)
                if domain and not _all_in_domain(corecords, domain):
                    records._check_company([fld.name])
