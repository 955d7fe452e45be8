"""Reporting: the tables (plain text for the terminal, Markdown for docs/performance.md), the
targets from issue 9, the JSON results, and the machine they were measured on.

Ratios divide a gradient's time by the plain NumPy/Python function's ("grad/f0"), as issue 9's
table does, so every system is held to the same yardstick; "grad/f" divides by the method's own
forward pass (autograd.numpy, JAX, PyTorch ops), its cheap-gradient ratio. A speed-up is the
method's gradient time over tangentish's.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
from dataclasses import asdict
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .measure import MethodResult, Settings, WorkloadResult
from .peers import METHODS, importable
from .workloads import SCALAR

PEERS = METHODS[2:]
DISTRIBUTIONS = (
    "tangentish",
    "numpy",
    "autograd",
    "jax",
    "jaxlib",
    "torch",
    "matplotlib",
    "threadpoolctl",
)
SCALAR_SPEEDUP_TARGET = 100.0  # over autograd and PyTorch eager, on the scalar workloads
COMPILE_TARGET = 0.050  # seconds


def machine() -> dict[str, Any]:
    """What the numbers depend on: processor, cores, Python, NumPy's BLAS, library versions."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "blas": _blas(),
        "blas_kernel": _blas_kernel(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "versions": {name: _version(name) for name in DISTRIBUTIONS},
        "tangentish_revision": _revision(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except (TypeError, KeyError):  # NumPy before 1.25 only prints its configuration
        return "unknown"


def _blas_kernel() -> str | None:
    """The CPU kernel OpenBLAS chose (OPENBLAS_CORETYPE can force an older one)."""
    if not importable("threadpoolctl"):
        return None
    from threadpoolctl import threadpool_info

    return next((p.get("architecture") for p in threadpool_info() if p["user_api"] == "blas"), None)


def _revision() -> str | None:
    """The git commit of the tangentish measured, `-dirty` with uncommitted changes."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def describe_machine(info: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v)
    blas = info["blas"]
    if info["blas_kernel"]:
        blas += f" ({info['blas_kernel']} kernel)"
    if info["OPENBLAS_CORETYPE"]:
        blas += f", OPENBLAS_CORETYPE={info['OPENBLAS_CORETYPE']}"
    threads = info.get("threads", {}).get("threads", "library defaults")
    revision = info.get("tangentish_revision")
    return (
        f"{info['cpu']}, {info['cores']} cores; Python {info['python']} on {info['platform']}; "
        f"BLAS {blas}; threads per library: {threads}; malloc: {info.get('malloc', 'default')}; "
        f"{versions}" + (f" (tangentish at {revision})" if revision else "")
    )


# -- derived numbers ------------------------------------------------------------------------------


def ratio_plain(result: WorkloadResult, method: MethodResult | None) -> float | None:
    """The method's gradient time over the plain program's time."""
    if method is None or method.grad is None or result.f is None:
        return None
    return method.grad.median / result.f.median


def ratio_own(result: WorkloadResult, method: MethodResult | None) -> float | None:
    """The method's gradient time over its own forward pass's time."""
    if method is None or method.grad is None or result.f is None:
        return None
    return method.grad.median / (method.f or result.f).median


def speedup(result: WorkloadResult, method: MethodResult | None) -> float | None:
    """How many times faster tangentish's gradient is than the method's."""
    ours = result.method("tangentish")
    if method is None or method.grad is None or ours is None or ours.grad is None:
        return None
    return method.grad.median / ours.grad.median


def failed(results: list[WorkloadResult]) -> list[tuple[str, MethodResult]]:
    return [(r.name, m) for r in results for m in r.methods if m.failed]


# -- formatting -----------------------------------------------------------------------------------


def number(x: float | None) -> str:
    """At least three significant digits, thousands separated: 1.23, 12.3, 123, 1,234."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def seconds(x: float | None) -> str:
    if x is None:
        return ""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if x >= scale:
            return f"{number(x / scale)} {unit}"
    return f"{number(x / 1e-9)} ns"


def kib(nbytes: int | None) -> str:
    return "n/a" if nbytes is None else f"{nbytes / 1024:,.0f} KiB"


def check(method: MethodResult) -> str:
    if method.error is not None:
        return ("FAILED: " if method.failed else "n/a: ") + method.error
    if method.failed:
        return f"DISAGREES ({method.rel_error:.1e})"
    return "ok (exact)" if method.rel_error == 0 else f"ok ({method.rel_error:.0e})"


def render(header: list[str], rows: list[list[str]], *, markdown: bool, left: int = 2) -> str:
    """A table whose first `left` columns are text (left-aligned) and the rest numbers."""
    if markdown:
        rule = ["---" if i < left else "--:" for i in range(len(header))]
        lines = [header, rule, *([c.replace("*", "\\*") for c in row] for row in rows)]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


# -- tables ---------------------------------------------------------------------------------------


def times_table(results: list[WorkloadResult], *, markdown: bool) -> str:
    header = ["workload", "method", "f", "grad", "grad/f", "grad/f0", "tangentish speed-up"]
    header += ["compile", "check"]
    rows = []
    for result in results:
        for i, method in enumerate(result.methods):
            own_f = method.f or result.f
            rows.append(
                [
                    result.title if i == 0 or markdown else "",
                    method.name,
                    seconds(own_f.median) if own_f and method.grad else "",
                    seconds(method.grad.median) if method.grad else "",
                    number(ratio_own(result, method)) if method.grad else "",
                    number(ratio_plain(result, method)) if method.grad else "",
                    _times(speedup(result, method)) if method.name != "tangentish" else "",
                    seconds(method.compile),
                    check(method),
                ]
            )
        for name, why in result.skipped.items():
            rows.append(["", name, "", "", "", "", "", "", f"skipped in --quick: {why}"])
    return render(header, rows, markdown=markdown)


def _times(x: float | None) -> str:
    return "n/a" if x is None else f"{number(x)}x"


def summary_table(results: list[WorkloadResult], *, markdown: bool) -> str:
    """One row per workload: the numbers issue 9's targets are about."""
    peers = [p for p in PEERS if any(r.method(p) for r in results)]
    header = ["workload", "tangentish grad/f0", "hand grad/f0", "tangentish/hand"]
    header += [f"vs {p}" for p in peers] + ["compile"]
    rows = []
    for result in results:
        ours, hand = result.method("tangentish"), result.method("hand")
        ours_broken = ours is None or ours.failed
        row = [
            result.title,
            "FAILED" if ours_broken else number(ratio_plain(result, ours)),
            number(ratio_plain(result, hand)),
            "" if ours_broken else number(_over(ours, hand)),
        ]
        row += ["" if ours_broken else _times(speedup(result, result.method(p))) for p in peers]
        row.append(seconds(ours.compile) if ours else "")
        rows.append(row)
    return render(header, rows, markdown=markdown, left=1)


def _over(ours: MethodResult | None, hand: MethodResult | None) -> float | None:
    if ours is None or hand is None or ours.grad is None or hand.grad is None:
        return None
    return ours.grad.median / hand.grad.median


def memory_table(results: list[WorkloadResult], *, markdown: bool) -> str:
    names = [n for n in METHODS if any(_reading(r, n) for r in results)]
    header = ["workload"] + [
        f"{n} ({_reading_how(results, n)})" if n == "torch" else n for n in names
    ]
    rows = [
        [r.title] + [kib(_reading(r, n)) for n in names]
        for r in results
        if any(_reading(r, n) is not None for n in names)
    ]
    return render(header, rows, markdown=markdown, left=1)


def _reading(result: WorkloadResult, name: str) -> int | None:
    method = result.method(name)
    return None if method is None or method.memory is None else method.memory.nbytes


def _reading_how(results: list[WorkloadResult], name: str) -> str:
    for result in results:
        method = result.method(name)
        if method is not None and method.memory is not None:
            return method.memory.how
    return ""


def targets(results: list[WorkloadResult]) -> list[str]:
    """Each of issue 9's targets, met or missed and by how much."""
    lines = []

    def verdict(label: str, value: float | None, target: float, at_most: bool, show: str) -> None:
        if value is None:
            lines.append(f"{label}: not measured")
            return
        met = value <= target if at_most else value >= target
        by = value / target if at_most else target / value
        lines.append(f"{label}: {show} -> {'met' if met else f'MISSED by {by:.2f}x'}")

    for r in results:
        ours, hand = r.method("tangentish"), r.method("hand")
        if ours is None or ours.failed:
            lines.append(f"{r.title}: tangentish FAILED ({check(ours) if ours else 'not run'})")
            continue
        over = _over(ours, hand)
        verdict(
            f"{r.title}: tangentish/hand",
            over,
            r.hand_target,
            True,
            f"{number(over)} <= {r.hand_target}",
        )
        if r.kind == SCALAR:
            for peer in ("autograd", "torch"):
                x = speedup(r, r.method(peer))
                goal = SCALAR_SPEEDUP_TARGET
                verdict(f"{r.title}: over {peer}", x, goal, False, f"{_times(x)} >= {goal:.0f}x")
        else:
            x = speedup(r, r.method("autograd"))
            verdict(f"{r.title}: over autograd", x, 1.0, False, f"{_times(x)} > 1x")
        if r.memory_target is not None:
            peak = _reading(r, "tangentish")
            verdict(
                f"{r.title}: gradient peak memory",
                peak,
                r.memory_target,
                True,
                f"{kib(peak)} <= {kib(r.memory_target)}",
            )
        verdict(
            f"{r.title}: compile",
            ours.compile,
            COMPILE_TARGET,
            True,
            f"{seconds(ours.compile)} < {seconds(COMPILE_TARGET)}",
        )
    return lines


def text(results: list[WorkloadResult], info: dict[str, Any]) -> str:
    """Everything a run prints."""
    parts = [
        f"Machine: {describe_machine(info)}",
        "Medians. f: the method's own forward pass; grad/f0: gradient over the plain program; "
        "tangentish speed-up (and vs PEER): the method's gradient time over tangentish's.",
        times_table(results, markdown=False),
        "Summary",
        summary_table(results, markdown=False),
    ]
    if any(m.memory for r in results for m in r.methods):
        parts += ["Memory of one gradient call", memory_table(results, markdown=False)]
    parts += ["Targets (issue 9)", "\n".join(targets(results))]
    return "\n\n".join(parts)


def markdown(results: list[WorkloadResult], info: dict[str, Any]) -> str:
    """The tables for docs/performance.md."""
    return "\n\n".join(
        [
            f"Measured on: {describe_machine(info)}.",
            "Summary: gradient time over the plain function's (grad/f0), tangentish over the hand "
            "adjoint, and tangentish's speed-up over each peer (the peer's gradient time over "
            "tangentish's). Medians.",
            summary_table(results, markdown=True),
            "Memory of one gradient call:",
            memory_table(results, markdown=True),
            "Every method: f is its own forward pass, grad/f0 divides by the plain function's.",
            times_table(results, markdown=True),
            "Issue 9's targets:",
            "\n".join(f"- {line}" for line in targets(results)),
        ]
    )


# -- files ----------------------------------------------------------------------------------------


def write_json(
    path: Path, results: list[WorkloadResult], info: dict[str, Any], settings: Settings
) -> None:
    workloads = []
    for r in results:
        entry = asdict(r)
        entry["derived"] = {
            m.name: {
                "grad_over_plain_f": ratio_plain(r, m),
                "grad_over_own_f": ratio_own(r, m),
                "tangentish_speedup": speedup(r, m),
            }
            for m in r.methods
        }
        workloads.append(entry)
    document = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": info,
        "settings": asdict(settings),
        "workloads": workloads,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
