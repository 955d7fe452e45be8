"""The chart: each method's gradient time over the plain function's, per workload, on a log
scale, with the machine it was measured on underneath."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from .measure import WorkloadResult
from .peers import METHODS
from .report import describe_machine, number, ratio_plain


def write_chart(path: Path, results: list[WorkloadResult], info: dict[str, Any]) -> None:
    """Grouped bars of gradient time over plain-function time, on a log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in METHODS if any(ratio_plain(r, r.method(n)) for r in results)]
    fig, ax = plt.subplots(figsize=(12, 5.5))
    width = 0.8 / len(names)
    highest = 1.0
    for i, name in enumerate(names):
        offset = (i - (len(names) - 1) / 2) * width
        measured = [(j, ratio_plain(r, r.method(name))) for j, r in enumerate(results)]
        present = [(j + offset, v) for j, v in measured if v]
        if present:
            xs, values = zip(*present)
            bars = ax.bar(xs, values, width, label=name, color=f"C{i}")
            labels = [number(v) for v in values]
            ax.bar_label(bars, labels=labels, fontsize=6, rotation=90, padding=2)
            highest = max(highest, *values)
        for j, v in measured:
            if not v:
                ax.text(j + offset, 0.6, "n/a", fontsize=6, rotation=90, ha="center", color=f"C{i}")
    ax.set_yscale("log")
    ax.set_ylim(0.5, highest * 10)
    ax.set_xticks(range(len(results)), [textwrap.fill(r.title, 20) for r in results], fontsize=8)
    ax.set_ylabel("gradient time / plain function time (log)")
    ax.set_title("Cost of a gradient, in runs of the plain NumPy/Python function (lower is better)")
    ax.set_xlabel(textwrap.fill(describe_machine(info), 180), fontsize=6)
    ax.legend(ncol=len(names), fontsize=8, loc="upper right")
    ax.grid(axis="y", which="major", alpha=0.3)
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)
