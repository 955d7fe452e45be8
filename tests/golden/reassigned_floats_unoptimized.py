# tg.source(tg.grad(golden_examples.reassigned, wrt=(0,), optimized=False)) after a call with Python floats.
# Regenerate with `pytest --update-golden`; review the diff like code.

def reassigned_grad(x, seed=1.0):
    y = x * x  # golden_examples.py:21
    _v1 = np.sin(y)  # golden_examples.py:22
    _v2 = _v1 * y  # golden_examples.py:22
    y_saved = y  # golden_examples.py:22
    y = _v2  # golden_examples.py:22
    _v3 = y + x  # golden_examples.py:23
    y_saved_1 = y  # golden_examples.py:23
    y = _v3  # golden_examples.py:23
    y_bar = seed  # golden_examples.py:24
    _v3_bar = y_bar  # golden_examples.py:23
    y = y_saved_1  # golden_examples.py:23
    y_bar = _v3_bar  # golden_examples.py:23
    x_bar = _v3_bar  # golden_examples.py:23
    _v2_bar = y_bar  # golden_examples.py:22
    y = y_saved  # golden_examples.py:22
    _v1_bar = _v2_bar * y  # golden_examples.py:22
    y_bar = _v2_bar * _v1  # golden_examples.py:22
    y_bar = _v1_bar * np.cos(y) + y_bar  # golden_examples.py:22
    x_bar = y_bar * x + x_bar  # golden_examples.py:21
    x_bar = y_bar * x + x_bar  # golden_examples.py:21
    return x_bar  # golden_examples.py:24
