def write_slice_in_loop_grad(a, n):
    _stack = []  # calls_corpus.py:295
    _v2_shape = None  # calls_corpus.py:295
    _v4_shape = None  # calls_corpus.py:295
    _v5 = None  # calls_corpus.py:295
    b = np.zeros(4)  # calls_corpus.py:296
    _v1 = range(n)  # calls_corpus.py:297
    for i in _v1:  # calls_corpus.py:297
        _saved = (_v2_shape, _v4_shape, _v5, i)  # calls_corpus.py:297
        _v2 = b[1:3]  # calls_corpus.py:298
        _v2_shape = shape(_v2)  # calls_corpus.py:298
        _v4 = a[i] * i  # calls_corpus.py:298
        _v4_shape = shape(_v4)  # calls_corpus.py:298
        _v5 = _v2 + _v4  # calls_corpus.py:298
        b_saved = snapshot(b[1:3])  # calls_corpus.py:298
        b[1:3] = _v5  # calls_corpus.py:298
        _stack.append((_saved, b_saved))  # calls_corpus.py:297
    _v6_bar = sum_adjoint(1.0, b * b, None, False)  # calls_corpus.py:299
    b_bar = _v6_bar * b + _v6_bar * b  # calls_corpus.py:299
    a_bar = zeros_like(a)  # calls_corpus.py:297
    for _ in _v1:  # calls_corpus.py:297
        _saved, b_saved = _stack.pop()  # calls_corpus.py:297
        i = _saved[3]  # calls_corpus.py:297
        _v5_bar = unbroadcast(b_bar[slice(1, 3, None)], _v5)  # calls_corpus.py:298
        b[1:3] = b_saved  # calls_corpus.py:298
        _v5 = _saved[2]  # calls_corpus.py:298
        _v3_bar = unbroadcast_to(_v5_bar, _v4_shape) * i  # calls_corpus.py:298
        _v4_shape = _saved[1]  # calls_corpus.py:298
        a_bar += getitem_adjoint(_v3_bar, a, i)  # calls_corpus.py:298
        b_bar = getitem_adjoint(unbroadcast_to(_v5_bar, _v2_shape), b, slice(1, 3, None)) + zero_at(b_bar, slice(1, 3, None))  # calls_corpus.py:298
        _v2_shape = _saved[0]  # calls_corpus.py:298
    return a_bar  # calls_corpus.py:299
