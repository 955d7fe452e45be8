def overwrite_loop_grad(x, n):
    _stack = []  # golden_control_flow.py:16
    y = x  # golden_control_flow.py:17
    _v1 = range(n)  # golden_control_flow.py:18
    for _ in _v1:  # golden_control_flow.py:18
        _saved = (y,)  # golden_control_flow.py:18
        y = y * x + 1.0  # golden_control_flow.py:19
        _stack.append(_saved)  # golden_control_flow.py:18
    y_bar = 1.0  # golden_control_flow.py:20
    x_bar = 0.0  # golden_control_flow.py:18
    for __1 in _v1:  # golden_control_flow.py:18
        _saved = _stack.pop()  # golden_control_flow.py:18
        _v2_bar = y_bar  # golden_control_flow.py:19
        y = _saved[0]  # golden_control_flow.py:19
        y_bar = y_bar * x  # golden_control_flow.py:19
        x_bar = _v2_bar * y + x_bar  # golden_control_flow.py:19
    x_bar = y_bar + x_bar  # golden_control_flow.py:17
    return x_bar  # golden_control_flow.py:20
