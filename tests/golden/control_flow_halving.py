def halving_grad(x):
    _v1 = x > 1.0  # golden_control_flow.py:24
    _n = 0  # golden_control_flow.py:24
    while _v1:  # golden_control_flow.py:24
        _n = _n + 1  # golden_control_flow.py:24
        x = x / 2.0  # golden_control_flow.py:25
        _v1 = x > 1.0  # golden_control_flow.py:24
    x_bar = x + x  # golden_control_flow.py:26
    for _ in range(_n):  # golden_control_flow.py:24
        x_bar = x_bar / 2.0  # golden_control_flow.py:25
    return x_bar  # golden_control_flow.py:26
