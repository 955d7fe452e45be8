def piecewise_grad(x):
    _v1 = x > 1.0  # golden_control_flow.py:7
    if not _v1:  # golden_control_flow.py:7
        _v2 = x > 0.0  # golden_control_flow.py:9
    if _v1:  # golden_control_flow.py:7
        x_bar = x + x  # golden_control_flow.py:8
    elif _v2:  # golden_control_flow.py:9
        x_bar = np.cos(x)  # golden_control_flow.py:10
    else:
        x_bar = -1.0  # golden_control_flow.py:12
    return x_bar  # golden_control_flow.py:13
