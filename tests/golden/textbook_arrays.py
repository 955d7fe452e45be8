# tg.source(tg.grad(golden_examples.f, wrt=(0, 1))) after a call with NumPy arrays.
# Regenerate with `pytest --update-golden`; review the diff like code.

def f_grad(x1, x2, seed=1.0):
    _v1 = x1 * x2  # golden_examples.py:11
    _v2 = np.sin(x1)  # golden_examples.py:11
    check_seed(_v1 + _v2, seed)  # golden_examples.py:11
    _v1_bar = unbroadcast(seed, _v1)  # golden_examples.py:11
    x1_bar = unbroadcast(_v1_bar * x2, x1) + unbroadcast(seed, _v2) * np.cos(x1)  # golden_examples.py:11
    x2_bar = unbroadcast(_v1_bar * x1, x2)  # golden_examples.py:11
    return (x1_bar, x2_bar)  # golden_examples.py:11
