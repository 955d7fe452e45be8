# tg.source(tg.grad(golden_examples.loss, wrt=(0, 1))) after a call with NumPy arrays.
# Regenerate with `pytest --update-golden`; review the diff like code.

def loss_grad(w, b, x, y, seed=1.0):
    _v1 = x @ w  # golden_examples.py:15
    prediction = _v1 + b  # golden_examples.py:15
    residual = prediction - y  # golden_examples.py:16
    prediction_bar = unbroadcast(mean_adjoint_view(seed, residual ** 2, None, False) * (2 * residual), prediction)  # golden_examples.py:17
    b_bar = unbroadcast(prediction_bar, b)  # golden_examples.py:15
    w_bar = matmul_adjoint_b(unbroadcast(prediction_bar, _v1), x, w)  # golden_examples.py:15
    return (w_bar, b_bar)  # golden_examples.py:17
