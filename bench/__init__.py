"""The benchmark suite of tangentish (issue 9): `python -m bench`, or `python bench/run.py`.

Not a test suite: it measures tangentish's gradients against a hand-written adjoint and the peers
installed (autograd, JAX, PyTorch: `pip install '.[bench]'`) on six workloads, after checking
that every gradient agrees. See docs/performance.md.
"""
