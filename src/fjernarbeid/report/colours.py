"""The report's colours, and how a reader with red-green colour blindness sees them.

Groups are told apart by the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), chosen so
that its colours stay distinct under protanopia and deuteranopia. Answer scales use a diverging palette
(ColorBrewer PuOr) when the scale runs between two opposite poles ("svært attraktivt" … "svært lite
attraktivt") and a sequential one (cividis, Nuñez et al. 2018) when it runs one way (travel times).

:func:`simulate` applies the colour-vision-deficiency matrices of Machado, Oliveira & Fernandes (2009),
"A physiologically-based model for simulation of color vision deficiency", IEEE TVCG 15(6), severity 1.0,
in linear RGB; :func:`delta_e` is the CIE76 distance in CIELAB. A test checks every palette with them.
"""

from __future__ import annotations

GROUPS = ["#0072B2", "#E69F00", "#56B4E9", "#000000", "#CC79A7", "#D55E00", "#009E73"]
DIVERGING = {
    2: ["#5e3c99", "#e66101"],
    3: ["#5e3c99", "#bababa", "#e66101"],
    4: ["#5e3c99", "#b2abd2", "#fdb863", "#e66101"],
    5: ["#5e3c99", "#b2abd2", "#bababa", "#fdb863", "#e66101"],
    6: ["#542788", "#998ec3", "#d8daeb", "#fee0b6", "#f1a340", "#b35806"],
    7: ["#542788", "#998ec3", "#d8daeb", "#bababa", "#fee0b6", "#f1a340", "#b35806"],
}
SEQUENTIAL = {
    2: ["#00224e", "#a69d75"],
    3: ["#00224e", "#7c7b78", "#fee838"],
    4: ["#00224e", "#575c6d", "#a69d75", "#fee838"],
    5: ["#00224e", "#434e6c", "#7c7b78", "#b9ac70", "#fee838"],
    6: ["#00224e", "#35456c", "#666970", "#958f78", "#cbba69", "#fee838"],
    7: ["#00224e", "#2b3e6b", "#575c6d", "#7c7b78", "#a69d75", "#d1bf66", "#fee838"],
}

# Machado et al. (2009), severity 1.0, applied to linear RGB.
CVD_MATRICES = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
}


def scale_colours(n: int, diverging: bool) -> list[str]:
    """Colours for an answer scale of ``n`` codes (its first code first)."""
    table = DIVERGING if diverging else SEQUENTIAL
    return table[min(max(n, 2), 7)][:n] if n <= 7 else table[7] + ["#dddddd"] * (n - 7)


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (relative luminance, WCAG 2)."""
    return "black" if _luminance(background) > 0.35 else "white"


def _to_linear(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    srgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb)


def _luminance(hex_colour: str) -> float:
    r, g, b = _to_linear(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def simulate(hex_colour: str, kind: str) -> tuple[float, float, float]:
    """The colour as a reader with ``kind`` ('protanopia' or 'deuteranopia') sees it, in linear RGB."""
    rgb = _to_linear(hex_colour)
    m = CVD_MATRICES[kind]
    return tuple(min(1.0, max(0.0, sum(m[i][j] * rgb[j] for j in range(3)))) for i in range(3))


def _lab(linear_rgb) -> tuple[float, float, float]:
    r, g, b = linear_rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a, b) -> float:
    """CIE76 colour difference of two linear-RGB colours (about 2.3 is just noticeable)."""
    la, lb = _lab(a), _lab(b)
    return sum((p - q) ** 2 for p, q in zip(la, lb)) ** 0.5
