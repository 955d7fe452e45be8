# tg.source(tg.grad(golden_examples.reassigned, wrt=(0,))) after a call with NumPy arrays.
# Regenerate with `pytest --update-golden`; review the diff like code.

def reassigned_grad(x, seed=1.0):
    y = x * x  # golden_examples.py:21
    _v1 = np.sin(y)  # golden_examples.py:22
    y_saved = y  # golden_examples.py:22
    y = _v1 * y  # golden_examples.py:22
    y_saved_1 = y  # golden_examples.py:23
    y = y + x  # golden_examples.py:23
    check_seed(y, seed)  # golden_examples.py:24
    _v2_bar = unbroadcast(seed, y_saved_1)  # golden_examples.py:22
    y_bar = unbroadcast(_v2_bar * y_saved, _v1) * np.cos(y_saved) + unbroadcast(_v2_bar * _v1, y_saved)  # golden_examples.py:22
    x_bar = y_bar * x + (y_bar * x + unbroadcast(seed, x))  # golden_examples.py:21
    return x_bar  # golden_examples.py:24
