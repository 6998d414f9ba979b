"""Helpers shared by the dossier writers. Private to the package."""


def amount(value):
    """An amount as the dossier writes it: two decimals, a dot, no grouping."""
    return "%.2f" % (value or 0.0)
