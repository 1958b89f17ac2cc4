"""A median inside a tie of four (x has seven entries; sorted, the four 2s fill the
places 2 to 5 and the median is the fourth), with a slip: the median's entry found as
the one whose average rank is 4 (ties share the mean of their places, 3.5), which none
is, so its gradient is dropped. Moving any one tied entry alone leaves the median at 2:
every entry's derivative is 0, and A = N there. Moved together, the four move the
median with them: the loss's slope along Σ e_i over the tie is 3, and A sums to 0 over
it: FAIL. (A correct backward, 3 on one tied entry, is a subgradient that no entry's
one-sided derivatives hold: a known false FAIL, docs/verdict-reference.md.)"""

import numpy as np

TARGETS = []


def init(rng):
    return {"x": np.array([0.5, 2.0, 4.0, 2.0, -1.0, 2.0, 2.0])}


def forward(p, tap):
    x = p["x"]
    return float(3.0 * np.sort(x)[3] + 0.05 * x @ x)


def average_ranks(x):
    """Ranks from 1, tied entries sharing the mean of their places."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(x.size)
    ranks[order] = np.arange(1, x.size + 1)
    for value in np.unique(x):
        tied = x == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def backward(v):
    x = v["x"]
    return {"x": 3.0 * (average_ranks(x) == 4).astype(float) + 0.1 * x}
