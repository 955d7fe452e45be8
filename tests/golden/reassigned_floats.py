# tg.source(tg.grad(golden_examples.reassigned, wrt=(0,))) after a call with Python floats.
# Regenerate with `pytest --update-golden`; review the diff like code.

def reassigned_grad(x, seed=1.0):
    y = x * x  # golden_examples.py:21
    y_bar = seed * y * np.cos(y) + seed * np.sin(y)  # golden_examples.py:22
    x_bar = y_bar * x + (y_bar * x + seed)  # golden_examples.py:21
    return x_bar  # golden_examples.py:24
