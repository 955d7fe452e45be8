"""Memory of one gradient call, as far as Python can see it.

NumPy reports its array buffers to `tracemalloc`, so for tangentish, the hand adjoint and
autograd the traced peak is the memory the call adds (what it records for the reverse pass, its
temporaries, and the gradients it returns). PyTorch's and XLA's allocators are invisible to
tracemalloc: for PyTorch we count the bytes autograd saves for the backward pass instead (not a
peak: temporaries are left out), and JAX reports no memory statistics on the CPU.
"""

from __future__ import annotations

import gc
import tracemalloc
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Reading:
    nbytes: int
    how: str  # what was measured: "tracemalloc peak" or "saved for backward"


def traced_peak(fn: Callable[..., Any], args: tuple[Any, ...]) -> Reading:
    """The peak of traced memory during `fn(*args)`, above what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn(*args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return Reading(peak - before, "tracemalloc peak")


def torch_saved(fn: Callable[..., Any], args: tuple[Any, ...]) -> Reading:
    """The bytes of the distinct tensor storages PyTorch's autograd saves during `fn(*args)`."""
    import torch

    storages: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        fn(*args)
    return Reading(sum(storages.values()), "saved for backward")
