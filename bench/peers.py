"""The systems measured: tangentish, the hand-written adjoint, and each peer that is installed.

Each builder turns a workload and its NumPy inputs into a `Method`: its forward pass and its
gradient, each with the arguments it takes (a peer converts the inputs to its own arrays once,
outside the timing). Peers run the workload's own function body with the modules it names (`np`,
`math`) bound to the peer's array module (autograd.numpy, jax.numpy, torch), so every system
differentiates the same program. Everything runs in float64: JAX with `jax_enable_x64`, PyTorch
with float64 as its default dtype.
"""

from __future__ import annotations

import importlib.util
import types
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

import numpy as np

import tangentish
from tangentish import kinds, pipeline

from . import memory
from .workloads import Workload

#: Every method, in table order; the first two always run.
METHODS = ("tangentish", "hand", "autograd", "jax", "jax.jit", "torch")
#: The distribution each peer needs.
PEER_PACKAGES = {"autograd": "autograd", "jax": "jax", "jax.jit": "jax", "torch": "torch"}


class PeerCannotRun(Exception):
    """The peer is installed but cannot run this program (say, jax.jit on a data-dependent
    `while`): a limit of the peer, recorded in the table, not a failure of the benchmark."""


@dataclass
class Method:
    name: str
    grad: Callable[..., Any]
    grad_args: tuple[Any, ...]
    #: The method's own forward pass; None when it is the plain NumPy program.
    f: Callable[..., Any] | None = None
    f_args: tuple[Any, ...] = ()
    #: Compiles the gradient from scratch, for timing (tangentish).
    compile: Callable[[], Any] | None = None
    #: The gradient's first call compiles it (jax.jit): compile time is first call - steady state.
    compiles_on_first_call: bool = False
    #: Reads the memory of one gradient call.
    memory_probe: Callable[[], memory.Reading] | None = None


def importable(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def installed(name: str) -> bool:
    """Whether the method can run here: tangentish and hand always, a peer when importable."""
    package = PEER_PACKAGES.get(name)
    return package is None or importable(package)


def build(name: str, workload: Workload, args: tuple[Any, ...]) -> Method:
    builders: dict[str, Callable[[Workload, tuple[Any, ...]], Method]] = {
        "tangentish": _tangentish,
        "hand": _hand,
        "autograd": _autograd,
        "jax": partial(_jax, jit=False),
        "jax.jit": partial(_jax, jit=True),
        "torch": _torch,
    }
    return builders[name](workload, args)


def as_arrays(grads: Any) -> tuple[np.ndarray, ...]:
    """Any method's gradients as a tuple of float64 NumPy arrays, one per `wrt` argument."""
    items = grads if isinstance(grads, (tuple, list)) else (grads,)
    return tuple(np.asarray(g, dtype=np.float64) for g in items)


def rebind(fn: Callable[..., Any], module: Any) -> Callable[..., Any]:
    """`fn`'s code with the globals `np` and `math` bound to `module`."""
    namespace = {**fn.__globals__, "np": module, "math": module}
    return types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)


def _tangentish(workload: Workload, args: tuple[Any, ...]) -> Method:
    specialization = tuple(kinds.of_value(a) for a in args)
    grad = tangentish.grad(workload.f, wrt=workload.wrt)
    return Method(
        "tangentish",
        grad,
        args,
        compile=lambda: pipeline.compile_gradient(workload.f, workload.wrt, kinds=specialization),
        memory_probe=partial(memory.traced_peak, grad, args),
    )


def _hand(workload: Workload, args: tuple[Any, ...]) -> Method:
    return Method(
        "hand", workload.hand, args, memory_probe=partial(memory.traced_peak, workload.hand, args)
    )


def _autograd(workload: Workload, args: tuple[Any, ...]) -> Method:
    import autograd
    import autograd.numpy as anp

    program = rebind(workload.program("autograd"), anp)
    grad = autograd.grad(program, argnum=workload.wrt)
    return Method(
        "autograd", grad, args, program, args, memory_probe=partial(memory.traced_peak, grad, args)
    )


def _jax(workload: Workload, args: tuple[Any, ...], *, jit: bool) -> Method:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    program = rebind(workload.program("jax"), jnp)
    grad = jax.grad(program, argnums=workload.wrt)
    if jit:
        static = tuple(i for i, a in enumerate(args) if isinstance(a, int))
        program = jax.jit(program, static_argnums=static)
        grad = jax.jit(grad, static_argnums=static)
    jax_args = tuple(a if isinstance(a, int) else jnp.asarray(np.asarray(a)) for a in args)

    def run(fn: Callable[..., Any], *args: Any) -> Any:
        """Waits for the result: JAX dispatches asynchronously."""
        try:
            return jax.block_until_ready(fn(*args))
        except jax.errors.ConcretizationTypeError as error:
            raise PeerCannotRun(f"cannot trace it: {type(error).__name__}") from None

    return Method(
        "jax.jit" if jit else "jax",
        partial(run, grad),
        jax_args,
        partial(run, program),
        jax_args,
        compiles_on_first_call=jit,
    )


def _torch(workload: Workload, args: tuple[Any, ...]) -> Method:
    import torch

    torch.set_default_dtype(torch.float64)
    program = rebind(workload.program("torch"), torch)
    wrt = workload.wrt

    def tensor(value: Any, requires_grad: bool = False) -> Any:
        if isinstance(value, int):
            return value
        return torch.tensor(np.asarray(value), requires_grad=requires_grad)

    leaves = tuple(tensor(a, i in wrt) for i, a in enumerate(args))

    def grad(*inputs: Any) -> Any:
        return torch.autograd.grad(program(*inputs), [inputs[i] for i in wrt])

    return Method(
        "torch",
        grad,
        leaves,
        program,
        tuple(tensor(a) for a in args),
        memory_probe=partial(memory.torch_saved, grad, leaves),
    )
