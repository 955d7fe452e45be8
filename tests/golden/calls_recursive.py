def power_rec_grad(x, n):
    _v1 = n == 0  # calls_corpus.py:54
    if _v1:  # calls_corpus.py:54
        _result = 1.0  # calls_corpus.py:55
    else:
        _v3, _v4 = power_rec_vjp.forward(x, n - 1)  # calls_corpus.py:56
        _result = x * _v3  # calls_corpus.py:56
    check_seed(_result, 1.0)  # calls_corpus.py:56
    if _v1:  # calls_corpus.py:54
        x_bar = 0.0  # calls_corpus.py:54
    else:
        x_bar = power_rec_vjp.backward(_v4, x)[0] + unbroadcast(1.0 * _v3, x)  # calls_corpus.py:56
    return x_bar  # calls_corpus.py:56
