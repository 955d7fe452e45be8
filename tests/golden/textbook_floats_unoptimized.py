# tg.source(tg.grad(golden_examples.f, wrt=(0, 1), optimized=False)) after a call with Python floats.
# Regenerate with `pytest --update-golden`; review the diff like code.

def f_grad(x1, x2, seed=1.0):
    _v1 = x1 * x2  # golden_examples.py:11
    _v2 = np.sin(x1)  # golden_examples.py:11
    _v3 = _v1 + _v2  # golden_examples.py:11
    _v3_bar = seed  # golden_examples.py:11
    _v1_bar = _v3_bar  # golden_examples.py:11
    _v2_bar = _v3_bar  # golden_examples.py:11
    x1_bar = _v2_bar * np.cos(x1)  # golden_examples.py:11
    x1_bar = _v1_bar * x2 + x1_bar  # golden_examples.py:11
    x2_bar = _v1_bar * x1  # golden_examples.py:11
    return (x1_bar, x2_bar)  # golden_examples.py:11
