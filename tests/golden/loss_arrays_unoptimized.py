# tg.source(tg.grad(golden_examples.loss, wrt=(0, 1), optimized=False)) after a call with NumPy arrays.
# Regenerate with `pytest --update-golden`; review the diff like code.

def loss_grad(w, b, x, y, seed=1.0):
    _v1 = x @ w  # golden_examples.py:15
    prediction = _v1 + b  # golden_examples.py:15
    residual = prediction - y  # golden_examples.py:16
    _v2 = residual ** 2  # golden_examples.py:17
    _v3 = np.mean(_v2)  # golden_examples.py:17
    _v3_bar = seed  # golden_examples.py:17
    _v2_bar = mean_adjoint(_v3_bar, _v2, None, False)  # golden_examples.py:17
    residual_bar = _v2_bar * (2 * residual ** (2 - 1))  # golden_examples.py:17
    prediction_bar = unbroadcast(residual_bar, prediction)  # golden_examples.py:16
    _v1_bar = unbroadcast(prediction_bar, _v1)  # golden_examples.py:15
    b_bar = unbroadcast(prediction_bar, b)  # golden_examples.py:15
    w_bar = matmul_adjoint_b(_v1_bar, x, w)  # golden_examples.py:15
    return (w_bar, b_bar)  # golden_examples.py:17
