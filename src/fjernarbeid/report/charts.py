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

from fjernarbeid.i18n import fmt_number  # noqa: E402
from fjernarbeid.report.colours import GROUPS, scale_colours, text_colour  # noqa: E402

GROUP_COLOURS = GROUPS


def _svg(fig, fmt: str | tuple[str, ...] = "svg") -> str | bytes | dict[str, str | bytes]:
    """The figure as inline SVG text (``fmt="svg"``) or as PNG bytes at 200 dpi (``fmt="png"``, for
    Word); ``fmt`` a tuple of both: ``{format: drawing}`` from the one figure.

    The figure is cropped to what it draws plus a margin, as ``bbox_inches="tight"`` does; but the
    bounding box is measured once, by a layout without any output, instead of by a whole extra drawing
    in every format saved (that doubled the time of each)."""
    try:
        fig.draw_without_rendering()
        box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
        if isinstance(fmt, tuple):
            return {f: _save(fig, f, box) for f in fmt}
        return _save(fig, fmt, box)
    finally:
        plt.close(fig)


def _save(fig, fmt: str, box) -> str | bytes:
    if fmt == "png":
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=200, bbox_inches=box, metadata={"Software": None})
        return buf.getvalue()
    if fmt != "svg":
        raise ValueError(f"a chart is drawn as svg or png, not {fmt!r}")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches=box, metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE for inline use
    return re.sub(r'\swidth="[\d.]+pt"\sheight="[\d.]+pt"', ' class="chart" role="img"', text, count=1)


def _wrap(label: str, width: int = 44) -> str:
    """The whole label on as many lines as it needs (never cut: a cut label changes the question)."""
    words, lines, line = str(label).split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


def _lines(label: str, width: int = 44) -> int:
    return _wrap(label, width).count("\n") + 1


def _pct(share: float, lang: str) -> str:
    return f"{fmt_number(100 * share, lang)}\u00a0%"


def _percent_axis(ax, lang: str, axis: str = "x") -> None:
    formatter = matplotlib.ticker.FuncFormatter(lambda v, _: _pct(v, lang))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _is_bipolar(scale: list[tuple[int, str]]) -> bool:
    """A scale between two opposite poles ('Svært attraktivt' … 'Svært lite attraktivt', 'Helt enig' … 'Helt
    uenig') starts its two end labels with the same word; a one-way scale (travel times) does not."""
    if len(scale) < 3:
        return False
    first, last = str(scale[0][1]).split(), str(scale[-1][1]).split()
    return bool(first and last) and first[0].lower() == last[0].lower()


def _legend_below(ax, handles, labels, n: int) -> None:
    ax.legend(handles, [_wrap(lbl, 24) for lbl in labels], ncol=min(n, 3 if n > 4 else n), loc="upper center",
              bbox_to_anchor=(0.5, -0.1), frameon=False, fontsize=8)


def likert_chart(items: list[tuple[str, dict[int, float]]], scale: list[tuple[int, str]], lang: str = "nb",
                 title: str = "", fmt: str | tuple = "svg") -> str | bytes | dict:
    """Diverging stacked bars: one bar per item, the scale's first codes to the left of zero, the
    middle code centred, the last codes to the right. ``items``: (label, {code: share}) with shares
    of the substantive answers (they need not sum to one if cells were suppressed)."""
    codes = [c for c, _ in scale]
    k = len(codes)
    middle = codes[k // 2] if k % 2 else None
    left = codes[: k // 2]
    right = codes[(k + 1) // 2:]
    lines = sum(_lines(lbl) for lbl, _ in items)
    fig, ax = plt.subplots(figsize=(7.5, 0.3 * lines + 0.25 * len(items) + 1.6))
    colours = dict(zip(codes, scale_colours(k, diverging=True)))
    for row, (label, shares) in enumerate(items):
        y = len(items) - 1 - row
        half = shares.get(middle, 0.0) / 2 if middle is not None else 0.0
        start = -half - sum(shares.get(c, 0.0) for c in left)
        for c in left + ([middle] if middle is not None else []) + right:
            width = shares.get(c, 0.0)
            ax.barh(y, width, left=start, color=colours[c], edgecolor="white", height=0.7)
            if width >= 0.06:
                ax.text(start + width / 2, y, fmt_number(100 * width, lang), ha="center", va="center", fontsize=8,
                        color=text_colour(colours[c]))
            start += width
    ax.axvline(0, color="#444", linewidth=0.8)
    ax.set_yticks(range(len(items)))
    ax.set_yticklabels([_wrap(lbl) for lbl, _ in reversed(items)])
    ax.set_xlim(-1, 1)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1])
    ax.set_xticklabels([_pct(1, lang), _pct(0.5, lang), "0", _pct(0.5, lang), _pct(1, lang)])
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[c]) for c in codes]
    _legend_below(ax, handles, [lbl for _, lbl in scale], k)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, fmt)


def distribution_chart(categories: list[tuple[str, float, float, float]], lang: str = "nb", title: str = "",
                       fmt: str | tuple = "svg") -> str | bytes | dict:
    """Horizontal bars with 95 % CIs: (label, share, ci_low, ci_high) per category."""
    lines = sum(_lines(c[0]) for c in categories)
    fig, ax = plt.subplots(figsize=(7.5, 0.28 * lines + 0.2 * len(categories) + 1.0))
    ys = list(range(len(categories)))[::-1]
    for y, (label, share, lo, hi) in zip(ys, categories):
        ax.barh(y, share, color=GROUP_COLOURS[0], height=0.6)
        # max(0, …): a share of 0 or 1 can sit a rounding error outside its own interval
        ax.errorbar(share, y, xerr=[[max(0.0, share - lo)], [max(0.0, hi - share)]], color="#222", capsize=3,
                    linewidth=1)
        ax.text(hi + 0.01, y, _pct(share, lang), va="center", fontsize=8)
    ax.set_yticks(ys)
    ax.set_yticklabels([_wrap(c[0]) for c in categories])
    ax.set_xlim(0, min(1.0, max(c[3] for c in categories) + 0.12))
    _percent_axis(ax, lang)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, fmt)


def group_bars(categories: list[str], series: dict[str, list[tuple[float, float, float]]], xlabel: str = "",
               ends: tuple = (), lang: str = "nb", title: str = "", fmt: str | tuple = "svg") -> str | bytes | dict:
    """Weighted means with 95 % CIs as dots and whiskers on the answer scale's own range: for each category
    (an item, or a group) one dot per series. ``ends`` = ((low code, its label), (high code, its label)):
    the axis runs from the one to the other and names them, so the reader sees which end is which — a
    bar from 0 on a 1-5 code scale would make the *least* attractive answer the longest bar."""
    n_series = len(series)
    step = 0.7 / max(n_series, 1)
    lines = sum(_lines(c) for c in categories)
    fig, ax = plt.subplots(figsize=(7.5, max(0.3 * lines, 0.22 * len(categories) * (n_series + 1)) + 1.3))
    base = list(range(len(categories)))[::-1]
    markers = ["o", "s", "D", "^", "v", "P", "X"]
    for s, (name, values) in enumerate(series.items()):
        ys = [b + 0.35 - step * (s + 0.5) for b in base]
        vals = [v[0] for v in values]
        err = [[v[0] - v[1] for v in values], [v[2] - v[0] for v in values]]
        colour = GROUP_COLOURS[s % len(GROUP_COLOURS)]
        ax.errorbar(vals, ys, xerr=err, fmt=markers[s % len(markers)], color=colour, ecolor=colour, capsize=2,
                    linewidth=1, markersize=5, label=_wrap(name, 40))
    ax.set_yticks(base)
    ax.set_yticklabels([_wrap(c) for c in categories])
    ax.set_ylim(-0.5, len(categories) - 0.5)
    if ends:
        (low, low_label), (high, high_label) = ends
        ax.set_xlim(low - 0.1, high + 0.1)
        ticks = list(range(int(low), int(high) + 1))
        ax.set_xticks(ticks)
        names = {int(low): low_label, int(high): high_label}
        ax.set_xticklabels([f"{c}\n{_wrap(names[c], 18)}" if names.get(c) else str(c) for c in ticks], fontsize=8)
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
    if not ends:
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_number(v, lang, 1)))
    if xlabel:
        ax.set_xlabel(xlabel)
    # legend above the plot, where it cannot collide with the axis title
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=1 if n_series > 2 else n_series, frameon=False,
              fontsize=8)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, fmt)


def stacked_100(groups: list[tuple[str, dict[int, float]]], scale: list[tuple[int, str]], lang: str = "nb",
                group_title: str = "", title: str = "", fmt: str | tuple = "svg") -> str | bytes | dict:
    """100 % stacked bars, one per group (e.g. acceptable travel time by home-office use: the donut
    effect), the groups' variable named on their axis (``group_title``: bars labelled 'Nei' and 'Ja' say
    what they are). A scale between two poles gets a diverging palette, a one-way scale a sequential one."""
    codes = [c for c, _ in scale]
    palette = scale_colours(len(codes), diverging=_is_bipolar(scale))
    lines = sum(_lines(g[0], 30) for g in groups)
    fig, ax = plt.subplots(figsize=(7.5, 0.3 * lines + 0.35 * len(groups) + 1.5))
    for row, (label, shares) in enumerate(groups):
        y = len(groups) - 1 - row
        start = 0.0
        for i, c in enumerate(codes):
            w = shares.get(c, 0.0)
            ax.barh(y, w, left=start, color=palette[i], edgecolor="white", height=0.6)
            if w >= 0.05:
                ax.text(start + w / 2, y, _pct(w, lang), ha="center", va="center", fontsize=8,
                        color=text_colour(palette[i]))
            start += w
    ax.set_yticks(range(len(groups)))
    ax.set_yticklabels([_wrap(g[0], 30) for g in reversed(groups)])
    if group_title:
        ax.set_ylabel(_wrap(group_title, 24))  # beside as few as two bars
    ax.set_xlim(0, 1)
    _percent_axis(ax, lang)
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette[i]) for i in range(len(codes))]
    _legend_below(ax, handles, [lbl for _, lbl in scale], len(codes))
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, fmt)


def interval_bars(categories: list[tuple[str, float, float | None, float | None]], lang: str = "nb",
                  percent: bool = False, title: str = "", fmt: str | tuple = "svg") -> str | bytes | dict:
    """Horizontal bars with 95 % intervals, (label, value, low, high) per bar, in the order given (the first
    on top): chapter 4.5's shares of a group's segments (``percent``) or its estimated number of people by
    municipality. Each bar is labelled with its value, as the report prints it ('24 %', '37 000')."""
    def shown(v: float) -> str:
        return _pct(v, lang) if percent else fmt_number(v, lang)

    lines = sum(_lines(c[0], 36) for c in categories)
    fig, ax = plt.subplots(figsize=(7.5, 0.2 * lines + 0.12 * len(categories) + 0.9))
    ys = list(range(len(categories)))[::-1]
    top = max((c[3] if c[3] is not None else c[1] for c in categories), default=1.0) or 1.0
    for y, (label, value, lo, hi) in zip(ys, categories):
        ax.barh(y, value, color=GROUP_COLOURS[0], height=0.6)
        if lo is not None and hi is not None:
            ax.errorbar(value, y, xerr=[[max(0.0, value - lo)], [max(0.0, hi - value)]], color="#222", capsize=3,
                        linewidth=1)
        ax.text((hi if hi is not None else value) + top * 0.01, y, shown(value), va="center", fontsize=8)
    ax.set_yticks(ys)
    ax.set_yticklabels([_wrap(c[0], 36) for c in categories])
    ax.set_xlim(0, min(1.0, top * 1.15) if percent else top * 1.15)
    if percent:
        _percent_axis(ax, lang)
    else:
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_number(v, lang)))
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, fmt)
