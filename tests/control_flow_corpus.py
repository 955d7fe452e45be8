"""Control-flow cases: if/elif/else, for, while, break, continue and early return.

Each function is plain Python that tangentish reads from this file. The cases cross every construct
with the values that matter for it: loops of 0, 1 and many iterations, and branches taken both ways,
within one call where the construct allows.
"""

from __future__ import annotations

import math

import numpy as np
from corpus import Case

V3 = np.array([0.5, -1.2, 2.0])
V5 = np.array([0.3, -0.8, 1.1, 0.6, -1.4])
M34 = np.array([[0.5, -1.2, 2.0, 0.1], [1.1, 0.3, -0.8, 0.9], [-0.4, 0.7, 1.3, -1.6]])
W33 = np.array([[0.2, -0.5, 0.1], [0.4, 0.3, -0.2], [-0.1, 0.6, 0.25]])


# -- if / elif / else --------------------------------------------------------------------------


def branch_if(x):
    if x > 0:
        y = x * x
    else:
        y = -x * 3.0
    return y


def branch_elif(x):
    if x > 1.0:
        y = math.exp(x)
    elif x > -1.0:
        y = math.sin(x) * x
    else:
        y = x**3
    return y


def branch_nested(x, y):
    if x > 0:
        if y > 0:
            z = x * y
        else:
            z = x - y
    else:
        z = x + y * y
    return z


def branch_no_else(x):
    y = x * 2.0
    if x < 0.5:
        y = y * x
    return y


def branch_overwrites_input(x, y):
    if y > 0:
        x = x * y
    return x * x


def branch_and_or(x, y):
    if x > 0 and y > 0:
        z = x * y
    elif x < 0 or y < -1.0:
        z = x + y
    else:
        z = x - y
    return z


def branch_not(x):
    if not x > 1.0:
        return x * x
    return 2.0 * x


def branch_chained(x):
    if 0.0 < x < 1.0:
        return x * x * x
    return x


def conditional_expression(x, y):
    z = x * y if x > y else x + y
    return z * z


def value_of_or(x, y):
    z = (x > 5.0) or y
    return z * x


def branch_on_array_sum(a):
    if np.sum(a) > 0:
        return np.sum(a * a)
    return np.sum(np.sin(a))


def branch_arrays(a, b):
    if a[0] > b[0]:
        c = a * b
    else:
        c = a - b
    return np.sum(c * c)


def branch_unused_input(x, y):
    if y > 0:
        return x * 3.0
    return x * y


# -- for loops ----------------------------------------------------------------------------------


def for_range(x, n):
    y = x
    for _ in range(n):
        y = y * x
    return y


def for_range_start_stop_step(x, start, stop, step):
    y = 1.0
    for i in range(start, stop, step):
        y = y * x + i
    return y


def for_accumulate(x, n):
    total = 0.0
    for i in range(n):
        total += math.sin(x * i)
    return total


def for_overwrite(x, n):
    y = x
    for _ in range(n):
        y = math.sin(y) + y * 0.5
    return y


def for_over_array_rows(m):
    total = 0.0
    for row in m:
        total = total + np.sum(row * row) * row[0]
    return total


def for_over_list(x):
    total = x
    for c in [1.0, -2.0, 0.5]:
        total = total * c + x
    return total


def for_over_tuple_of_inputs(x, y):
    total = 0.0
    for v in (x, y, x * y):
        total = total + v * v
    return total


def for_enumerate(a):
    total = 0.0
    for i, v in enumerate(a):
        total = total + v * (i + 1)
    return total * total


def for_enumerate_start(a):
    total = 1.0
    for i, v in enumerate(a, 2):
        total = total + v**i
    return total


def for_zip(a, b):
    total = 0.0
    for p, q in zip(a, b):
        total = total + p * q * q
    return total


def for_nested(x, n):
    y = x
    for i in range(n):
        for j in range(i):
            y = y + x * j * 0.1
        y = y * 0.9
    return y


def for_else(x, n):
    y = x
    for _ in range(n):
        y = y * 1.5
    else:
        y = y + x * x
    return y


def for_loop_variable_after_loop(x, n):
    i = 0
    for i in range(n):
        x = x * 1.1
    return x * i


def rnn_like(h, w, n):
    for _ in range(n):
        h = np.tanh(w @ h)
    return np.sum(h)


def for_array_carried(a, n):
    s = a
    for _ in range(n):
        s = s * a + 1.0
    return np.sum(s)


def for_matrix_power(w, v, n):
    for _ in range(n):
        v = w @ v
    return np.sum(v * v)


# -- while loops --------------------------------------------------------------------------------


def while_halving(x):
    while x > 1.0:
        x = x / 2.0
    return x * x


def while_counter(x, n):
    i = 0
    y = x
    while i < n:
        y = y * x
        i = i + 1
    return y


def while_newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12:
        x = 0.5 * (x + a / x)
    return x


def while_data_dependent(x):
    y = x
    while y < 10.0:
        y = y * 1.7 + x
    return y


def while_in_for(x, n):
    total = 0.0
    for i in range(n):
        y = x + i
        while y > 1.0:
            y = y * 0.5
        total = total + y
    return total


def for_in_while(x):
    y = x
    k = 0
    while k < 3:
        for _ in range(2):
            y = y * x
        k = k + 1
    return y


# -- break / continue / early return -------------------------------------------------------------


def loop_break(x, n):
    y = x
    for i in range(n):
        if i >= 3:
            break
        y = y * x
    return y


def loop_break_data(x):
    y = x
    for _ in range(100):
        y = y * 1.3
        if y > 5.0:
            break
    return y


def loop_continue(x, n):
    total = 0.0
    for i in range(n):
        if i % 2 == 0:
            continue
        total = total + x**i
    return total


def loop_break_and_continue(x, n):
    total = 0.0
    for i in range(n):
        if i == 1:
            continue
        if i == 4:
            break
        total = total + math.sin(x * i)
    return total


def while_break(x):
    y = x
    while True:
        y = y * 1.2
        if y > 4.0:
            break
    return y


def break_in_nested_if(x, n):
    total = 0.0
    for i in range(n):
        if i > 0:
            if total > 2.0:
                break
        total = total + x * i
    return total


def early_return_if(x):
    if x > 0:
        return x * x
    y = -x
    return y * 3.0


def several_returns(x):
    if x > 2.0:
        return x
    if x > 0.0:
        return x * x
    if x > -1.0:
        return x * x * x
    return -x


def return_in_loop(x, n):
    y = x
    for i in range(n):
        y = y * x
        if i == 2:
            return y + 1.0
    return y


def return_in_while(x):
    y = x
    while y < 100.0:
        y = y * 2.0
        if y > 10.0:
            return y * x
    return y


def return_in_nested_loops(x):
    y = x
    for i in range(4):
        for j in range(4):
            y = y * 1.1 + x * 0.01
            if i * j == 4:
                return y
    return y


def newton_iteration(a):
    x = 1.0
    for _ in range(50):
        step = (x * x - a) / (2.0 * x)
        x = x - step
        if abs(step) < 1e-14:
            break
    return x


def piecewise_loop(a):
    total = 0.0
    for v in a:
        if v > 0:
            total = total + v * v
        else:
            total = total - v
    return total


def loop_augmented_arrays(a, b, n):
    c = a * 1.0
    for _ in range(n):
        c += b * c
    return np.sum(c)


def logistic_map(r, x, n):
    for _ in range(n):
        x = r * x * (1.0 - x)
    return x


def euler_ode(k, y, n):
    dt = 0.01
    for _ in range(n):
        y = y + dt * (-k * y + math.sin(y))
    return y


# -- writes into arrays the function made ------------------------------------------------------


def write_in_loop(x, n):
    a = np.zeros(n)
    for i in range(n):
        a[i] = x**i
    return np.sum(a * a)


def augmented_write_in_loop(x, n):
    a = np.zeros((n, 2))
    total = 0.0
    for i in range(n):
        a[i, 0] = x * i
        a[i, 1] += np.sin(x) * a[i, 0]
        total = total + a[i, 1]
    return total + np.sum(a)


def running_product(v):
    a = v * 1.0
    for i in range(1, len(a)):
        a[i] = a[i - 1] * a[i] + 1.0
    return np.sum(a)


def write_in_branch(v):
    a = v * 2.0
    for i in range(len(a)):
        if a[i] > 0:
            a[i] = a[i] * a[i]
        else:
            a[i] = -a[i]
    return np.sum(a)


def write_slice(x):
    a = np.ones(4)
    a[1:3] = x * 2.0
    a[0] = x * x
    return np.sum(a * np.arange(1.0, 5.0))


def constant_in_branch(x):
    y = x * x
    if x > 0.0:
        y = 2.0
    return y * x


def clamp_once(x):
    step = x * 0.5
    if step > 1.0:
        step = 1.0
    return x + step * x


def constant_in_loop(x, n):
    y = x * x
    for i in range(n):
        if i == 1:
            y = 3.0
        y = y * x
    return y


CASES = [
    Case("if_taken", branch_if, (1.3,)),
    Case("if_not_taken", branch_if, (-0.7,)),
    Case("elif_first", branch_elif, (1.5,)),
    Case("elif_second", branch_elif, (0.4,)),
    Case("elif_else", branch_elif, (-1.6,)),
    Case("nested_pp", branch_nested, (0.5, 1.5), (0, 1)),
    Case("nested_pn", branch_nested, (0.5, -1.5), (0, 1)),
    Case("nested_n", branch_nested, (-0.5, 1.5), (0, 1)),
    Case("if_without_else_taken", branch_no_else, (0.2,)),
    Case("if_without_else_skipped", branch_no_else, (0.9,)),
    Case("if_overwrites_input", branch_overwrites_input, (0.8, 1.3), (0, 1)),
    Case("and_or_first", branch_and_or, (0.5, 0.7), (0, 1)),
    Case("and_or_second", branch_and_or, (-0.5, 0.7), (0, 1)),
    Case("and_or_else", branch_and_or, (0.5, -0.7), (0, 1)),
    Case("not", branch_not, (0.5,)),
    Case("not_false", branch_not, (1.5,)),
    Case("chained_inside", branch_chained, (0.5,)),
    Case("chained_outside", branch_chained, (1.5,)),
    Case("conditional_expression_true", conditional_expression, (1.5, 0.5), (0, 1)),
    Case("conditional_expression_false", conditional_expression, (0.5, 1.5), (0, 1)),
    Case("value_of_or", value_of_or, (0.5, 1.5), (0, 1)),
    Case("branch_on_array_positive", branch_on_array_sum, (V3,)),
    Case("branch_on_array_negative", branch_on_array_sum, (-V3,)),
    Case("branch_arrays", branch_arrays, (V3, V5[:3]), (0, 1)),
    Case("branch_unused_input", branch_unused_input, (0.5, 1.5), (0, 1)),
    Case("for_range_many", for_range, (0.9, 5)),
    Case("for_range_one", for_range, (0.9, 1)),
    Case("for_range_zero", for_range, (0.9, 0)),
    Case("for_range_step", for_range_start_stop_step, (0.7, 1, 8, 3)),
    Case("for_range_negative_step", for_range_start_stop_step, (0.7, 5, 0, -2)),
    Case("for_accumulate", for_accumulate, (0.3, 6)),
    Case("for_overwrite", for_overwrite, (0.4, 7)),
    Case("for_array_rows", for_over_array_rows, (M34,)),
    Case("for_list", for_over_list, (0.6,)),
    Case("for_tuple_of_inputs", for_over_tuple_of_inputs, (0.6, -1.1), (0, 1)),
    Case("for_enumerate", for_enumerate, (V5,)),
    Case("for_enumerate_start", for_enumerate_start, (np.abs(V3) + 0.5,)),
    Case("for_zip", for_zip, (V5, V5[::-1]), (0, 1)),
    Case("for_nested", for_nested, (0.8, 4)),
    Case("for_else", for_else, (0.8, 3)),
    Case("for_variable_after_loop", for_loop_variable_after_loop, (0.8, 3)),
    Case("rnn_like", rnn_like, (V3, W33, 4), (0, 1)),
    Case("for_array_carried", for_array_carried, (V3 * 0.5, 3)),
    Case("for_matrix_power", for_matrix_power, (W33, V3, 3), (0, 1)),
    Case("while_halving", while_halving, (7.3,)),
    Case("while_halving_zero_trips", while_halving, (0.6,)),
    Case("while_counter", while_counter, (1.1, 4)),
    Case("while_newton_sqrt", while_newton_sqrt, (2.7,)),
    Case("while_data_dependent", while_data_dependent, (1.3,)),
    Case("while_in_for", while_in_for, (2.5, 3)),
    Case("for_in_while", for_in_while, (1.05,)),
    Case("break", loop_break, (1.2, 10)),
    Case("break_not_reached", loop_break, (1.2, 2)),
    Case("break_data", loop_break_data, (0.7,)),
    Case("continue", loop_continue, (1.3, 6)),
    Case("break_and_continue", loop_break_and_continue, (0.7, 9)),
    Case("while_true_break", while_break, (0.9,)),
    Case("break_in_nested_if", break_in_nested_if, (0.6, 8)),
    Case("early_return_taken", early_return_if, (0.5,)),
    Case("early_return_skipped", early_return_if, (-0.5,)),
    Case("several_returns_1", several_returns, (2.5,)),
    Case("several_returns_2", several_returns, (1.5,)),
    Case("several_returns_3", several_returns, (-0.5,)),
    Case("several_returns_4", several_returns, (-1.5,)),
    Case("return_in_loop", return_in_loop, (1.1, 6)),
    Case("return_in_loop_not_reached", return_in_loop, (1.1, 2)),
    Case("return_in_while", return_in_while, (1.3,)),
    Case("return_in_nested_loops", return_in_nested_loops, (0.9,)),
    Case("newton_iteration", newton_iteration, (3.0,)),
    Case("piecewise_loop", piecewise_loop, (V5,)),
    Case("loop_augmented_arrays", loop_augmented_arrays, (V3, V3 * 0.1, 3), (0, 1)),
    Case("logistic_map", logistic_map, (3.2, 0.4, 20), (0, 1)),
    Case("euler_ode", euler_ode, (0.7, 1.2, 50), (0, 1)),
    Case("write_in_loop", write_in_loop, (0.7, 4)),
    Case("augmented_write_in_loop", augmented_write_in_loop, (0.7, 3)),
    Case("running_product", running_product, (np.array([0.5, 1.2, -0.3, 0.8]),)),
    Case("write_in_branch", write_in_branch, (V5,)),
    Case("write_slice", write_slice, (0.8,)),
    Case("constant_in_branch_taken", constant_in_branch, (3.0,)),
    Case("constant_in_branch_not_taken", constant_in_branch, (-3.0,)),
    Case("clamp_taken", clamp_once, (3.0,)),
    Case("clamp_not_taken", clamp_once, (1.0,)),
    Case("constant_in_loop", constant_in_loop, (1.3, 4)),
]
