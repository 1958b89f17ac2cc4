"""mean sin(X w), w = (731.4, −95.4, 274.5), X of 1e5 (fuzzer 11000087's row and w,
the other rows drawn): at X[3, 0] = −90,901.8, sin(X w) has a period of 0.0086 in the
entry, and central's step is 0.55, its h/64 one period of sin within 0.007 rad. The
one-sided differences alias to slopes near 0 at h and h/8; h/64, with no spread (a whole
period on either side), stood as the unstraddled N, −0.07 where the slope is −65, and
that entry FAILed. A step that is no multiple of h/64 is spread and disagrees: no step
of the ladder resolves the loss there. Richardson's steps alias too, and the probe
takes the forward for not complex-safe (or, where BLAS rounds X w otherwise, finds it
complex-safe, and the complex step PASSes X̄): the true X̄ is WEAK or PASS, never FAIL,
under every engine."""

import numpy as np

W = np.array([[731.362427996158], [-95.42654710229583], [274.51445407478593]])
ROW = [-90901.83669504686, -49628.16269412601, -121723.83476533386]


def init(rng):
    X = 1e5 * np.random.default_rng(11).standard_normal((8, 3))
    X[3] = ROW
    return {"X": X}


def forward(p, tap):
    return np.mean(np.sin(p["X"] @ W))


def backward(v):
    z = v["X"] @ W
    return {"X": np.cos(z) @ W.T / z.size}
