"""The process's settings for steady timing: one thread per library, and an allocator that keeps
the memory it frees.

Threads: NumPy's OpenBLAS, PyTorch's OpenMP and XLA's Eigen each keep a thread pool whose idle
threads spin for a while. Timed side by side in one process on a 2-core machine they fight over
the cores: measured here, the MLP's gradient took 42 ms in PyTorch instead of 0.5 ms, and 24 ms
in NumPy instead of 0.3 ms. With one thread each, the comparison is of the
differentiation, not of the thread pools. `--threads 0` leaves every library at its default.

Memory: glibc's malloc gives memory back to the system when the top of its heap is free, so a
function whose 4 MB temporaries sit at the top pays a page fault per 4 KiB on every call (the
log-softmax ran at 3.4 ms with 2,000 faults a call, 1.5 ms without), or not, depending on what
the process allocated before: on the order in which the methods ran. Raising the trim and mmap
thresholds makes every method run as in a long-lived process, whatever ran before it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from typing import Any

from .peers import importable

_XLA_FLAG = "--xla_cpu_multi_thread_eigen=false"
# mallopt's parameters (malloc.h) and the largest mmap threshold it accepts on 64-bit systems.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_TRIM, _MMAP = 1 << 30, 32 << 20


def limit_threads(threads: int, methods: tuple[str, ...]) -> dict[str, Any]:
    """Limit the libraries `methods` use to `threads` threads; say what was done."""
    done: dict[str, Any] = {"threads": threads or "library defaults"}
    if not threads:
        return done
    if importable("threadpoolctl"):
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    else:
        done["blas"] = "not limited: pip install threadpoolctl"
    if any(m.startswith("jax") for m in methods):
        if threads != 1:
            done["xla"] = "its default: XLA can only be limited to one thread"
        elif "jax" in sys.modules:
            done["xla"] = "not limited: jax was imported before the limit"
        else:
            os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_XLA_FLAG}".strip()
    if "torch" in methods:
        import torch

        torch.set_num_threads(threads)
    return done


def keep_freed_memory() -> str:
    """Stop glibc's malloc from returning freed memory to the system; say what was done."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        done = libc.mallopt(_M_TRIM_THRESHOLD, _TRIM) and libc.mallopt(_M_MMAP_THRESHOLD, _MMAP)
    except (OSError, AttributeError, TypeError):  # not glibc, or no C library found
        done = 0
    if not done:
        return "the system's default"
    return f"glibc, trim threshold {_TRIM >> 20} MiB, mmap threshold {_MMAP >> 20} MiB"
