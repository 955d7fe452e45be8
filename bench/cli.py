"""`python -m bench`: every workload, side by side, for tangentish, the hand adjoint and each
installed peer; checks that the gradients agree, then times them and prints the tables.

A full run writes bench/results/latest.json, .png (the chart) and .md (the tables for
docs/performance.md). `--quick` takes under a minute and writes nothing unless given
`--output`. The exit status is 1 when tangentish or the hand adjoint fails or any gradient
disagrees.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from time import perf_counter
from typing import Any

from . import chart, peers, process, report
from .measure import FULL, QUICK, Settings, WorkloadResult, measure
from .workloads import WORKLOADS

RESULTS = Path(__file__).resolve().parent / "results" / "latest"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark tangentish's gradients against a hand-written adjoint, autograd, "
        "JAX and PyTorch.",
    )
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples: < 1 min")
    parser.add_argument(
        "--check-only", action="store_true", help="only check that the gradients agree"
    )
    parser.add_argument("--small", action="store_true", help="tiny inputs (for the smoke test)")
    parser.add_argument(
        "--workloads",
        default=",".join(w.name for w in WORKLOADS),
        help="comma-separated, from: %(default)s",
    )
    parser.add_argument(
        "--methods", default=",".join(peers.METHODS), help="comma-separated, from: %(default)s"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per library (BLAS, PyTorch, XLA); 0: their defaults (default: %(default)s)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"write OUTPUT.json, .png and .md (a full run's default: {RESULTS})",
    )
    return parser


def _choose(parser: argparse.ArgumentParser, given: str, known: tuple[str, ...]) -> list[str]:
    chosen = [name.strip() for name in given.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown:
        parser.error(f"unknown {', '.join(unknown)}; choose from {', '.join(known)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    names = _choose(parser, options.workloads, tuple(w.name for w in WORKLOADS))
    workloads = [w for w in WORKLOADS if w.name in names]
    wanted = _choose(parser, options.methods, peers.METHODS)
    methods = tuple(m for m in wanted if peers.installed(m))
    missing = [m for m in wanted if m not in methods]
    if missing:
        print(f"not installed, left out: {', '.join(missing)} (pip install '.[bench]')")
    settings = QUICK if options.quick else FULL
    limits = process.limit_threads(options.threads, methods)
    allocator = process.keep_freed_memory()
    started = perf_counter()
    results: list[WorkloadResult] = []
    for workload in workloads:
        print(f"... {workload.title}", file=sys.stderr, flush=True)
        results.append(
            measure(
                workload,
                methods,
                settings,
                small=options.small,
                quick=options.quick,
                check_only=options.check_only,
            )
        )
    if options.check_only:
        rows = [[r.title, m.name, report.check(m)] for r in results for m in r.methods]
        print(report.render(["workload", "method", "check"], rows, markdown=False, left=3))
    else:
        info = {**report.machine(), "threads": limits, "malloc": allocator}
        print(report.text(results, info))
        output = options.output or (None if options.quick or options.small else RESULTS)
        if output is not None:
            _write(output, results, info, settings)
    broken = report.failed(results)
    for name, method in broken:
        print(f"!! {name}: {method.name}: {report.check(method)}", file=sys.stderr)
    print(f"\n{len(broken)} failures; {perf_counter() - started:.0f} s")
    return 1 if broken else 0


def _write(
    output: Path, results: list[WorkloadResult], info: dict[str, Any], settings: Settings
) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    report.write_json(output.with_suffix(".json"), results, info, settings)
    output.with_suffix(".md").write_text(report.markdown(results, info) + "\n")
    written = [output.with_suffix(".json"), output.with_suffix(".md")]
    if peers.importable("matplotlib"):
        chart.write_chart(output.with_suffix(".png"), results, info)
        written.append(output.with_suffix(".png"))
    else:
        print("matplotlib is not installed: no chart")
    print("wrote " + ", ".join(map(str, written)))
