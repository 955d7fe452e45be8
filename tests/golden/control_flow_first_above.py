def first_above_grad(x, n):
    y = x  # golden_control_flow.py:30
    _broke = False  # golden_control_flow.py:31
    _v1 = range(n)  # golden_control_flow.py:31
    _n = 0  # golden_control_flow.py:31
    for _ in _v1:  # golden_control_flow.py:31
        _n = _n + 1  # golden_control_flow.py:31
        y = y * 1.5  # golden_control_flow.py:32
        _v3 = y > 4.0  # golden_control_flow.py:33
        if _v3:  # golden_control_flow.py:33
            _broke = True  # golden_control_flow.py:34
        if _broke:  # golden_control_flow.py:31
            break  # golden_control_flow.py:31
    y_bar = 1.0  # golden_control_flow.py:35
    for __1 in range(_n):  # golden_control_flow.py:31
        y_bar = y_bar * 1.5  # golden_control_flow.py:32
    x_bar = y_bar  # golden_control_flow.py:30
    return x_bar  # golden_control_flow.py:35
