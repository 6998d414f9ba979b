"""QR codes as PNG images, the code Odoo's ``barcode("QR", ...)`` draws, faster.

A letter carries two QR codes (the debtor's page and the EPC bank transfer).
Odoo draws them with ReportLab: its encoder chooses the mask by scoring all
eight with list-by-list Python (``QRUtil.getLostPoint``), then a drawing of
one rectangle per run of dark modules is built twice (once to measure it) and
rasterised. That took 0.1-0.15 s a code, most of a letter's rendering time.

Here the same encoder (``reportlab.graphics.barcode.qrencoder``) makes the
matrix, with its mask scores computed on strings and integers (the same rules
and the same figures, quirks included: see ``lost_point``), so the modules
are those Odoo's image shows; the image is drawn from the matrix with Pillow:
the same size, the code filling it edge to edge as Odoo's does without a
quiet zone, the modules' edges averaged as ReportLab's anti-aliasing does.
(ReportLab's rasteriser is not deterministic to the byte: it perturbs its
paths a little at random, so Odoo's own images differ a little every time.)

Pure: imports nothing from Odoo; tested without a database
(``tests/test_qr_image.py``), against ReportLab's own scores and drawings.
"""

import io
import re

from PIL import Image
from reportlab.graphics.barcode import qrencoder

LEVELS = {"L", "M", "Q", "H"}
# ReportLab's rule 3 looks for this pattern only, left to right (see below).
_FINDER_LIKE = "10111010000"
_RUNS = re.compile(r"0{5,}|1{5,}")


def lost_point(modules):
    """ReportLab's ``QRUtil.getLostPoint(qr)``, the penalty of a masked
    matrix (``modules``: rows of booleans), the same figure, faster.

    ReportLab's rules, as it applies them: (1) every run of five or more
    equal modules in a row or a column costs its length minus 2; (2) every
    2x2 block of one colour costs 3; (3) every ``1011101 0000`` in a row, read
    left to right without overlap and not at the row's last position, costs
    40 (its columns never count: it compares tuples with a list); (4) 10 per
    full 5 % that the dark share is off 50 %, with its integer divisions.
    """
    size = len(modules)
    rows = ["".join("1" if dark else "0" for dark in row) for row in modules]
    columns = ["".join(column) for column in zip(*rows, strict=True)]
    score = 0
    for line in rows + columns:  # rule 1
        for run in _RUNS.finditer(line):
            score += run.end() - run.start() - 2
    full = (1 << size) - 1
    ints = [int(row, 2) for row in rows]
    for upper, lower in zip(ints, ints[1:], strict=False):  # rule 2
        same_vertical = ~(upper ^ lower) & full
        same_horizontal = ~(upper ^ (upper >> 1))
        score += (
            3 * (same_vertical & (same_vertical >> 1) & same_horizontal).bit_count()
        )
    score += 40 * sum(row[:-1].count(_FINDER_LIKE) for row in rows)  # rule 3
    dark = sum(row.count("1") for row in rows)  # rule 4
    score += 10 * (abs(100 * dark // size**2 - 50) // 5)
    return score


class _QRCode(qrencoder.QRCode):
    """ReportLab's encoder with :func:`lost_point` to choose the mask."""

    def getBestMaskPattern(self):  # noqa: N802 (ReportLab's name)
        best, pattern = None, 0
        for mask in range(8):
            self.makeImpl(True, mask)
            points = lost_point(self.modules)
            if best is None or points < best:
                best, pattern = points, mask
        return pattern


def qr_matrix(value, level="M"):
    """The modules of the QR code of ``value`` (rows of booleans, True is
    dark), as ReportLab's encoder makes them for Odoo's ``barcode("QR")``."""
    if level not in LEVELS:
        raise ValueError(f"QR error correction level {level!r}")
    code = _QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(value)
    code.make()
    return [[bool(dark) for dark in row] for row in code.modules]


def qr_png(value, size=240, level="M"):
    """A ``size`` x ``size`` PNG (grayscale) of the QR code of ``value``:
    the code fills the image, as Odoo's ``barcode("QR", value, width=size,
    height=size, barLevel=level)`` draws it (no quiet zone)."""
    modules = qr_matrix(value, level)
    count = len(modules)
    # One pixel per module, then each output pixel the average of the
    # modules it covers (a box filter): the edges of modules that do not fall
    # on a pixel boundary are grey, as in ReportLab's anti-aliased drawing.
    small = Image.new("L", (count, count))
    small.putdata([0 if dark else 255 for row in modules for dark in row])
    image = small.resize((size, size), Image.Resampling.BOX)
    stream = io.BytesIO()
    image.save(stream, format="PNG")
    return stream.getvalue()
