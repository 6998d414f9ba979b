"""The Belgian interest rates completed (LEGAL.md) for databases made before.

``data/debiteur_interest_rate_data.xml`` is ``noupdate``: Odoo creates a
record of it whose xml id is new on upgrade, but never updates one. Two
problems follow, both solved here, *before* the data file is loaded (hence a
pre-migration, not a post-migration: by then the loader has already run):

- a rate the user entered by hand for one of the new dates (same kind and
  date) would make the loader's insert fail on the UNIQUE(kind, date_from)
  constraint and stop the upgrade. Such a row is kept as the user made it and
  given the xml id, so the loader skips it;
- a missing rate is inserted with its xml id (only when no row of that kind
  and date exists, active or archived).

The notes of the shipped rows that said the table was incomplete are
replaced, unless the user changed them. The rows are read from the data file
itself, so there is one list of rates.
"""

from lxml import etree

from odoo.tools import SQL, file_open

MODULE = "debiteur_dunning"
DATA_FILE = f"{MODULE}/data/debiteur_interest_rate_data.xml"
MODEL = "debiteur.interest.rate"
# Notes shipped by 18.0.1.0.1 that the completed table makes wrong.
OLD_NOTES = {
    "interest_rate_be_commercial_2023_01_01": "known point; the periods until the "
    "next rate are not filled in yet: verify against the official notices",
    "interest_rate_be_commercial_2026_01_01": "known point; verify against the "
    "official notice",
    "interest_rate_be_legal_2023_01_01": "known point; the years until the next "
    "rate are not filled in yet: verify against the official notices",
    "interest_rate_be_legal_2025_07_01": "known point, the rate of the year 2025; "
    "a yearly rate starts on 1 January: verify",
    "interest_rate_be_legal_2026_01_01": "known point; verify against the official "
    "notice",
}


def shipped_rates():
    """``[(xml id name, kind, date_from, rate, note)]`` of the data file."""
    with file_open(DATA_FILE, "rb") as data:
        tree = etree.parse(data)
    rates = []
    for record in tree.iterfind(f".//record[@model='{MODEL}']"):
        values = {field.get("name"): field for field in record.iterfind("field")}
        note = values.get("note")
        rates.append(
            (
                record.get("id"),
                values["kind"].text.strip(),
                values["date_from"].text.strip(),
                float(values["rate"].get("eval")),
                note.text.strip() if note is not None else None,
            )
        )
    return rates


def complete_rates(cr):
    """Give every shipped rate its row and xml id; returns the xml ids added."""
    added = []
    for name, kind, date_from, rate, note in shipped_rates():
        cr.execute(
            SQL(
                "SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s",
                MODULE,
                name,
            )
        )
        row = cr.fetchone()
        if row:
            if name in OLD_NOTES and note:
                cr.execute(
                    SQL(
                        "UPDATE debiteur_interest_rate SET note = %s "
                        "WHERE id = %s AND note = %s",
                        note,
                        row[0],
                        OLD_NOTES[name],
                    )
                )
            continue
        cr.execute(
            SQL(
                "SELECT id FROM debiteur_interest_rate "
                "WHERE kind = %s AND date_from = %s",
                kind,
                date_from,
            )
        )
        row = cr.fetchone()
        if row:
            res_id = row[0]  # the user's own row: kept as it is
        else:
            cr.execute(
                SQL(
                    """
                    INSERT INTO debiteur_interest_rate
                        (kind, date_from, rate, note, active,
                         create_uid, write_uid, create_date, write_date)
                    VALUES (%s, %s, %s, %s, TRUE, 1, 1,
                            NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
                    RETURNING id
                    """,
                    kind,
                    date_from,
                    rate,
                    note,
                )
            )
            res_id = cr.fetchone()[0]
        cr.execute(
            SQL(
                """
                INSERT INTO ir_model_data
                    (module, name, model, res_id, noupdate,
                     create_uid, write_uid, create_date, write_date)
                VALUES (%s, %s, %s, %s, TRUE, 1, 1,
                        NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
                """,
                MODULE,
                name,
                MODEL,
                res_id,
            )
        )
        added.append(name)
    return added


def migrate(cr, version):
    if not version:
        return
    complete_rates(cr)
