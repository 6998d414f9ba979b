"""QR codes as PNG images, the code Odoo's ``barcode("QR", ...)`` draws, faster.

A letter carries two QR codes (the debtor's page and the EPC bank transfer).
Odoo draws them with ReportLab: its encoder computes the error correction
with polynomial objects, chooses the mask by building and scoring the matrix
eight times in list-by-list Python (``QRUtil.getLostPoint``), then a drawing
of one rectangle per run of dark modules is built twice (once to measure it)
and rasterised. That took 0.1-0.15 s a code, most of a letter's rendering.

Here ReportLab's encoder (``reportlab.graphics.barcode.qrencoder``) still
encodes the data and draws the final matrix; what is faster gives the same
results: the error correction codewords (its generator polynomials, a plain
remainder loop), the eight test matrices (its function patterns and data
positions kept per version, a mask an exclusive or of integers) and their
scores (its rules and figures, quirks included: see ``_lost_point``). So the
modules are those of Odoo's image. The image is drawn with Pillow: the same
size, the code filling it edge to edge as Odoo's does without a quiet zone,
the modules' edges averaged as ReportLab's anti-aliasing does. (ReportLab's
rasteriser is not deterministic to the byte: it perturbs its paths a little
at random, so Odoo's own images differ a little every time.)

Pure: imports nothing from Odoo; tested without a database
(``tests/test_qr_image.py``), against ReportLab's own codewords, scores,
matrices and drawings.
"""

import io
import itertools

from PIL import Image
from reportlab.graphics.barcode import qrencoder

LEVELS = {"L", "M", "Q", "H"}
# ReportLab's rule 3 looks for this pattern only, left to right (see below).
_FINDER_LIKE = "10111010000"
_EXP = qrencoder.EXP_TABLE
_LOG = qrencoder.LOG_TABLE


# ----------------------------------------------------------------------
# Error correction
# ----------------------------------------------------------------------
_GENERATORS = {}  # {codewords: ReportLab's generator polynomial, as logs}


def _generator_logs(count):
    if count not in _GENERATORS:
        poly = qrencoder.QRUtil.getErrorCorrectPolynomial(count).num
        _GENERATORS[count] = [_LOG[coefficient] for coefficient in poly[1:]]
    return _GENERATORS[count]


def _remainder(data, count):
    """The ``count`` error correction codewords of ``data``: the remainder
    of data x^count divided by the (monic) generator, in GF(256)."""
    logs = _generator_logs(count)
    remainder = [0] * count
    for byte in data:
        factor = byte ^ remainder[0]
        remainder = remainder[1:] + [0]
        if factor:
            shift = _LOG[factor]
            for index, log in enumerate(logs):
                remainder[index] ^= _EXP[(log + shift) % 255]
    return remainder


def create_data(version, level, data_list):
    """ReportLab's ``QRCode.createData``: the codewords of the data (padded)
    and of its error correction, blocks interleaved."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    buffer = qrencoder.QRBitBuffer()
    for data in data_list:
        data.write(buffer, version)
    capacity = sum(block.dataCount for block in blocks) * 8
    if buffer.getLengthInBits() > capacity:
        raise ValueError(
            f"code length overflow. ({buffer.getLengthInBits()} > {capacity})"
        )
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pads = itertools.cycle((qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1))
    while buffer.getLengthInBits() < capacity:
        buffer.put(next(pads), 8)
    offset, data_blocks, correction_blocks = 0, [], []
    for block in blocks:
        data = buffer.buffer[offset : offset + block.dataCount]
        offset += block.dataCount
        data_blocks.append(data)
        correction_blocks.append(_remainder(data, block.totalCount - block.dataCount))
    return [
        byte
        for group in itertools.chain(
            itertools.zip_longest(*data_blocks),
            itertools.zip_longest(*correction_blocks),
        )
        for byte in group
        if byte is not None
    ]


# ----------------------------------------------------------------------
# Masks
# ----------------------------------------------------------------------
def lost_point(modules):
    """ReportLab's ``QRUtil.getLostPoint(qr)``, the penalty of a masked
    matrix (``modules``: rows of booleans), the same figure, faster."""
    rows = [int("".join("1" if dark else "0" for dark in row), 2) for row in modules]
    return _lost_point(rows, len(modules))


def _runs_cost(line, full):
    """Rule 1 on one line (an integer of ``full``'s width): every run of
    five or more equal modules costs its length minus 2, that is one per
    window of five in it plus 2 per run."""
    cost = 0
    for bits in (line, ~line & full):
        windows = bits & (bits >> 1) & (bits >> 2) & (bits >> 3) & (bits >> 4)
        cost += windows.bit_count() + 2 * (windows & ~(windows >> 1)).bit_count()
    return cost


def _lost_point(rows, size):
    """:func:`lost_point` of a matrix given as one integer per row (the
    first column the highest bit).

    ReportLab's rules, as it applies them: (1) every run of five or more
    equal modules in a row or a column costs its length minus 2; (2) every
    2x2 block of one colour costs 3; (3) every ``1011101 0000`` in a row, read
    left to right without overlap and not at the row's last position, costs
    40 (its columns never count: it compares tuples with a list); (4) 10 per
    full 5 % that the dark share is off 50 %, with its integer divisions.
    """
    full = (1 << size) - 1
    lines = [format(row, f"0{size}b") for row in rows]
    columns = [int("".join(column), 2) for column in zip(*lines, strict=True)]
    score = sum(_runs_cost(line, full) for line in rows + columns)  # rule 1
    for upper, lower in zip(rows, rows[1:], strict=False):  # rule 2
        same_vertical = ~(upper ^ lower) & full
        same_horizontal = ~(upper ^ (upper >> 1))
        blocks = same_vertical & (same_vertical >> 1) & same_horizontal
        score += 3 * blocks.bit_count()
    score += 40 * sum(line[:-1].count(_FINDER_LIKE) for line in lines)  # rule 3
    dark = sum(row.bit_count() for row in rows)  # rule 4
    score += 10 * (abs(100 * dark // size**2 - 50) // 5)
    return score


def _bits(modules):
    return [int("".join("1" if dark else "0" for dark in row), 2) for row in modules]


# {version: (size, data positions as (row, bit), data area per row, the
# other modules of ReportLab's test matrix per row)}
_LAYOUTS = {}
_MASK_ROWS = {}  # {(size, mask): the modules the mask flips, per row}


def _layout(version):
    """What ReportLab's test matrices (``makeImpl(True, mask)``) of
    ``version`` share: its function patterns with the format and version
    information left light, whatever the data, the level or the mask."""
    if version not in _LAYOUTS:
        code = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
        code.dataCache = []  # no data: the data modules are the mask's
        code.makeImpl(True, 0)
        size = code.moduleCount
        positions = [
            (row, 1 << (size - 1 - col)) for col, row in code.dataPosIterator()
        ]
        area = [0] * size
        for row, bit in positions:
            area[row] |= bit
        base = [row & ~area[number] for number, row in enumerate(_bits(code.modules))]
        _LAYOUTS[version] = (size, positions, area, base)
    return _LAYOUTS[version]


def _mask_rows(size, mask):
    key = (size, mask)
    if key not in _MASK_ROWS:
        flips = qrencoder.QRUtil.getMask(mask)
        _MASK_ROWS[key] = [
            sum(1 << (size - 1 - col) for col in range(size) if flips(row, col))
            for row in range(size)
        ]
    return _MASK_ROWS[key]


class _QRCode(qrencoder.QRCode):
    """ReportLab's encoder, its codewords from :func:`create_data` and its
    mask chosen on integers (see the module's docstring)."""

    def getBestMaskPattern(self):  # noqa: N802 (ReportLab's name)
        if self.dataCache is None:
            self.dataCache = create_data(
                self.version, self.errorCorrectLevel, self.dataList
            )
        size, positions, area, base = _layout(self.version)
        data = [0] * size
        bits = (byte & (0x80 >> shift) for byte in self.dataCache for shift in range(8))
        # ReportLab leaves the positions past the data light (before masking).
        for (row, bit), dark in zip(positions, bits, strict=False):
            if dark:
                data[row] |= bit
        best, pattern = None, 0
        for mask in range(8):
            flips = _mask_rows(size, mask)
            rows = [
                base[row] | ((data[row] ^ flips[row]) & area[row])
                for row in range(size)
            ]
            points = _lost_point(rows, size)
            if best is None or points < best:
                best, pattern = points, mask
        return pattern


# ----------------------------------------------------------------------
# The code and its image
# ----------------------------------------------------------------------
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
