# tg.source(tg.grad(golden_examples.f, wrt=(0, 1))) after a call with Python floats.
# Regenerate with `pytest --update-golden`; review the diff like code.

def f_grad(x1, x2, seed=1.0):
    x1_bar = seed * x2 + seed * np.cos(x1)  # golden_examples.py:11
    x2_bar = seed * x1  # golden_examples.py:11
    return (x1_bar, x2_bar)  # golden_examples.py:11
