"""Charts for the report, drawn with matplotlib and returned as inline SVG (or PNG for Word and PDF).
SVG text stays text and is shown in the page's own sans-serif font, so the report needs no font file
or network. Each function takes plain numbers (shares 0-1) and labels, so it can be tested without
running an analysis."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({
    "svg.fonttype": "none",  # text stays text: selectable, readable by screen readers, 40 % faster
    "svg.hashsalt": "fjernarbeid",  # deterministic ids
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
})

# Colours for a 5-step scale, from the positive end (code 1) to the negative end (code 5);
# a diverging palette readable in grey and by colour-blind readers (ColorBrewer PuOr).
SCALE_COLOURS = ["#5e3c99", "#b2abd2", "#d9d9d9", "#fdb863", "#e66101"]
GROUP_COLOURS = ["#1b6ca8", "#f29e4c", "#6aa84f", "#9e9e9e", "#8e44ad", "#c0392b", "#16a085"]


def _svg(fig, fmt: str = "svg") -> str | bytes:
    """The figure as inline SVG text (``fmt="svg"``) or as PNG bytes at 200 dpi (``fmt="png"``, for
    Word and PDF)."""
    if fmt == "png":
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=200, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        return buf.getvalue()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE for inline use
    return re.sub(r'\swidth="[\d.]+pt"\sheight="[\d.]+pt"', ' class="chart" role="img"', text, count=1)


def _wrap(label: str, width: int = 38) -> str:
    words, lines, line = label.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


def likert_chart(items: list[tuple[str, dict[int, float]]], scale: list[tuple[int, str]], title: str = "", fmt: str = "svg") -> str | bytes:
    """Diverging stacked bars: one bar per item, the scale's first codes to the left of zero, the
    middle code centred, the last codes to the right. ``items``: (label, {code: share}) with shares
    of the substantive answers (they need not sum to one if cells were suppressed)."""
    codes = [c for c, _ in scale]
    k = len(codes)
    middle = codes[k // 2] if k % 2 else None
    left = codes[: k // 2]
    right = codes[(k + 1) // 2:]
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(items) + 1.3))
    colours = dict(zip(codes, SCALE_COLOURS if k == 5 else plt.cm.PuOr_r([i / max(k - 1, 1) for i in range(k)])))
    for row, (label, shares) in enumerate(items):
        y = len(items) - 1 - row
        half = shares.get(middle, 0.0) / 2 if middle is not None else 0.0
        start = -half - sum(shares.get(c, 0.0) for c in left)
        for c in left + ([middle] if middle is not None else []) + right:
            width = shares.get(c, 0.0)
            ax.barh(y, width, left=start, color=colours[c], edgecolor="white", height=0.7)
            if width >= 0.06:
                ax.text(start + width / 2, y, f"{100 * width:.0f}", ha="center", va="center", fontsize=8,
                        color="white" if c in (codes[0], codes[-1]) else "black")
            start += width
    ax.axvline(0, color="#444", linewidth=0.8)
    ax.set_yticks(range(len(items)))
    ax.set_yticklabels([_wrap(lbl) for lbl, _ in reversed(items)])
    ax.set_xlim(-1, 1)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1])
    ax.set_xticklabels(["100 %", "50 %", "0", "50 %", "100 %"])
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[c]) for c in codes]
    ax.legend(handles, [_wrap(lbl, 22) for _, lbl in scale], ncol=min(k, 5), loc="upper center",
              bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=8)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, fmt)


def distribution_chart(categories: list[tuple[str, float, float, float]], title: str = "", fmt: str = "svg") -> str | bytes:
    """Horizontal bars with 95 % CIs: (label, share, ci_low, ci_high) per category."""
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(categories) + 1.0))
    ys = list(range(len(categories)))[::-1]
    for y, (label, share, lo, hi) in zip(ys, categories):
        ax.barh(y, share, color=GROUP_COLOURS[0], height=0.6)
        # max(0, …): a share of 0 or 1 can sit a rounding error outside its own interval
        ax.errorbar(share, y, xerr=[[max(0.0, share - lo)], [max(0.0, hi - share)]], color="#222", capsize=3, linewidth=1)
        ax.text(hi + 0.01, y, f"{100 * share:.0f} %", va="center", fontsize=8)
    ax.set_yticks(ys)
    ax.set_yticklabels([_wrap(c[0]) for c in categories])
    ax.set_xlim(0, min(1.0, max(c[3] for c in categories) + 0.12))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, fmt)


def group_bars(categories: list[str], series: dict[str, list[tuple[float, float, float]]], xlabel: str = "",
               title: str = "", fmt: str = "svg") -> str | bytes:
    """Grouped horizontal bars with CIs: for each category one bar per series (value, lo, hi)."""
    n_series = len(series)
    height = 0.8 / max(n_series, 1)
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(categories) * max(1, n_series / 1.5) + 1.2))
    base = list(range(len(categories)))[::-1]
    for s, (name, values) in enumerate(series.items()):
        ys = [b + 0.4 - height * (s + 0.5) for b in base]
        vals = [v[0] for v in values]
        err = [[v[0] - v[1] for v in values], [v[2] - v[0] for v in values]]
        ax.barh(ys, vals, height=height * 0.9, color=GROUP_COLOURS[s % len(GROUP_COLOURS)], label=name)
        ax.errorbar(vals, ys, xerr=err, fmt="none", ecolor="#222", capsize=2, linewidth=0.8)
    ax.set_yticks(base)
    ax.set_yticklabels([_wrap(c) for c in categories])
    if xlabel:
        ax.set_xlabel(xlabel)
    # legend above the plot, where it cannot collide with the axis title
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=min(n_series, 2), frameon=False, fontsize=8)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, fmt)


def stacked_100(groups: list[tuple[str, dict[int, float]]], scale: list[tuple[int, str]], title: str = "", fmt: str = "svg") -> str | bytes:
    """100 % stacked bars, one per group (e.g. acceptable travel time by home-office use: the donut
    effect). Codes are coloured from short (dark) to long (light)."""
    codes = [c for c, _ in scale]
    palette = ["#08306b", "#2171b5", "#6baed6", "#c6dbef", "#eeeeee"]
    fig, ax = plt.subplots(figsize=(7.5, 0.7 * len(groups) + 1.3))
    for row, (label, shares) in enumerate(groups):
        y = len(groups) - 1 - row
        start = 0.0
        for i, c in enumerate(codes):
            w = shares.get(c, 0.0)
            ax.barh(y, w, left=start, color=palette[i % len(palette)], edgecolor="white", height=0.6)
            if w >= 0.05:
                ax.text(start + w / 2, y, f"{100 * w:.0f} %", ha="center", va="center", fontsize=8,
                        color="white" if i < 2 else "black")
            start += w
    ax.set_yticks(range(len(groups)))
    ax.set_yticklabels([_wrap(g[0], 30) for g in reversed(groups)])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette[i % len(palette)]) for i in range(len(codes))]
    ax.legend(handles, [lbl for _, lbl in scale], ncol=min(len(codes), 4), loc="upper center",
              bbox_to_anchor=(0.5, -0.15), frameon=False, fontsize=8)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, fmt)
