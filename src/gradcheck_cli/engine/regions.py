"""A at a point where the loss is not differentiable: the gradient of a region beside θ.

Where kinks or ties pass through θ, the loss near θ is smooth on regions (cones from θ)
whose gradients differ, and each region's gradient at θ is a correct backward there: a
limiting gradient, what relu'(0) = 0 or a stable sort's order picks. Where the loss is
not convex at θ, such an A can lie outside an entry's one-sided derivatives (one relu
unit switched on by w for one sample and off for another), or differ from a partial
derivative where kinks cancel along that entry (relu(x) − relu(−x)); and an A within
every entry's sides proves no subgradient there (turns_both_ways). So A is sought
among the regions' gradients (region_of), over every leaf at once, or an intermediate
alone:

1. candidate directions u: fixed ones (_directions), where the loss's one-sided
   derivative is A·u (_along), and ones the backward itself proposes (_guided); each
   must keep that slope at steps REGION_FINE and KINK_AT_THETA times finer (the region
   reaches θ, not a kink beside it: _reaches_theta);
2. the region's gradient is measured entry by entry, by central differences at
   θ + kσu (k = 1, 2, 4, 8), extrapolated to θ with its error (_extrapolated), per
   entry the best of REGION_LADDERS (_measured); one off A by more than REGION_OTHER
   is another region's;
3. of the first REGION_MEASURED found, the finest measured is returned; the caller
   (verdict.in_a_region) holds every row to it within its bound.

Nothing here fails a row: where no region is found, a FAIL stands.
"""

from collections.abc import Iterator
from itertools import chain, islice
from typing import TYPE_CHECKING

import numpy as np

from gradcheck_cli.engine.policy import (
    CARRY,
    EPS,
    KINK_AT_THETA,
    REGION_APART,
    REGION_AXES,
    REGION_BESIDE_SCALED,
    REGION_CLIMB,
    REGION_ENTRIES,
    REGION_FINE,
    REGION_FORWARDS,
    REGION_GUIDED,
    REGION_HITS,
    REGION_LADDERS,
    REGION_MATCH,
    REGION_MEASURED,
    REGION_NEAR,
    REGION_OTHER,
    REGION_RANDOM,
    REGION_ROUNDOFF,
    REGION_TILT,
    REGION_TURNS,
    TINY,
)
from gradcheck_cli.engine.together import FAILED, Joint, beside, roundoff, sides_along
from gradcheck_cli.records import frozen

if TYPE_CHECKING:
    from gradcheck_cli.engine.checking import Settings


@frozen(eq=False)  # (eq=False: arrays: == by identity)
class Region:
    """A region beside θ whose gradient is A: the direction u into it (flat over the
    Joint's θ), its gradient G at θ entry by entry, G's error, and u in words."""

    u: np.ndarray
    G: np.ndarray
    error: np.ndarray
    along: str


def region_of(
    joint: Joint,
    A: np.ndarray,
    flagged: np.ndarray,
    size: tuple[float, float],
    settings: "Settings",
    guided: bool = True,
) -> Region | None:
    """The region beside θ (module docstring) whose gradient, measured, is within
    REGION_OTHER of A at every entry (the caller holds A to it with its bound): of the
    first REGION_MEASURED found, the one measured finest; None where no candidate
    direction finds one. ``flagged``: flat positions in θ of the
    failing entries (moved one by one); ``size``: the loss's size for round-off, with
    every leaf moved (their rows' summed) and with one entry (the largest row's);
    ``guided``: the Joint's tensors are the leaves, which the backward can be asked at
    (_guided)."""
    theta = joint.theta
    if theta.size == 0 or theta.size > REGION_ENTRIES or not np.all(np.isfinite(theta)):
        return None
    step, noise = beside(joint, settings), roundoff(size[0])
    rng = np.random.default_rng([settings.options.seed, 47])
    most = max(1, REGION_FORWARDS // (10 * theta.size))  # (candidates: one ladder each)
    candidates = _along(joint, A, flagged, step, noise, rng)
    if guided:
        candidates = chain(candidates, _guided(joint, A, step, rng))
    found: list[Region] = []
    for u, slope, where in islice(candidates, most):
        if not _reaches_theta(joint, u, slope, step, size[1]):
            continue
        region = _measured(joint, u, A, step, size[1])
        if region is not None:
            found.append(Region(u, region[0], region[1], where))
            if len(found) == REGION_MEASURED:
                break
    return min(found, key=lambda r: _coarseness(r, A), default=None)


def _coarseness(region: Region, A: np.ndarray) -> float:
    """A region's measured error relative to its entries (with the CARRY floor): of
    several directions into a region, the one that measures it finest holds A to the
    tightest bound (a coarser one is never chosen to excuse an error)."""
    scale = _scale(A, region.G)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.max(np.where(scale > 0, region.error / scale, 0.0)))


def _scale(A: np.ndarray, G: np.ndarray) -> np.ndarray:
    """max(|A_i|, |G_i|), floored at CARRY of max |A|: what a region's error is relative to."""
    return np.maximum(np.maximum(np.abs(A), np.abs(G)), CARRY * float(np.abs(A).max()))


def turns_both_ways(joint: Joint, kinks: np.ndarray, size: float, settings: "Settings") -> bool:
    """Whether the loss at θ is neither convex nor concave: along REGION_TURNS random
    directions over the Joint's tensors, and as many of random signs over its kinks'
    entries ``kinks`` (flat positions), its one-sided derivatives along some turn up
    (right > left, resolved) and along others down. Kinks whose jumps along each axis
    turn one way can still (|r₁| + |r₂| − ½ |q| turns down along (1, 1, −1) only):
    there A between each entry's sides proves no subgradient."""
    theta = joint.theta
    if theta.size == 0 or not np.all(np.isfinite(theta)):
        return False
    rng = np.random.default_rng([settings.options.seed, 53])
    step, noise = beside(joint, settings), roundoff(size)
    everywhere = np.arange(theta.size)
    moved = [(everywhere, _unit(u)) for u in rng.standard_normal((REGION_TURNS, theta.size))]
    if kinks.size > 1:
        moved += [(kinks, rng.choice([-1.0, 1.0], kinks.size)) for _ in range(REGION_TURNS)]
    try:
        with np.errstate(all="ignore"):
            found = sides_along(joint, moved, step, noise)
    except FAILED:
        return False
    turn = np.where(found.resolved(), np.sign(found.right - found.left), 0.0)
    return bool(np.any(turn > 0) and np.any(turn < 0))


def _along(
    joint: Joint,
    A: np.ndarray,
    flagged: np.ndarray,
    step: float,
    noise: float,
    rng: np.random.Generator,
) -> Iterator[tuple[np.ndarray, float, str]]:
    """Candidate directions u (with A·u, and u in words) along which a one-sided
    derivative of the loss is A·u, within its slack and REGION_MATCH: of _directions,
    each with its sign (the left derivative along u is the right one along −u)."""
    directions, names = _directions(joint, flagged, rng)
    everywhere = np.arange(joint.theta.size)
    try:
        with np.errstate(all="ignore"):
            found = sides_along(joint, [(everywhere, u) for u in directions], step, noise)
    except FAILED:
        return
    Au = directions @ A
    reach = found.slack + REGION_MATCH * (np.abs(directions) @ np.abs(A) + np.abs(Au))
    for d in range(len(directions)):
        for sign, side in ((1.0, found.right[d]), (-1.0, found.left[d])):
            if abs(side - Au[d]) <= reach[d]:
                where = names[d] if sign > 0 else f"−({names[d]})"
                yield sign * directions[d], float(sign * Au[d]), where


def _guided(
    joint: Joint, A: np.ndarray, step: float, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, float, str]]:
    """Candidate directions where the backward itself, at θ + δu (δ the step), gives A
    again within REGION_NEAR of its largest entry: the region it took at θ, one of 2^k
    beside k kinks, which no fixed direction reaches. Found by climbing from random
    directions (at most REGION_GUIDED backward passes in all): from u, the backward's
    miss D = B(θ + δu) − A, and u moved along ±D (a kink's share of D is its jump, along
    its normal: moved along it, a kink crosses to one side or the other) or at random,
    kept where fewer entries miss. Of REGION_HITS found, their mean first: found at the
    region's edge, a direction measures its gradient coarsely. The backward only
    proposes; the loss decides."""
    near = REGION_NEAR * max(float(np.abs(A).max()), TINY)
    calls = 0

    def missed(u: np.ndarray) -> tuple[int, np.ndarray]:
        nonlocal calls
        calls += 1
        D = _backward_beside(joint, u, step) - A
        return int(np.sum(~(np.abs(D) <= near))), D

    def climbed() -> np.ndarray | None:
        u = _unit(rng.standard_normal(A.size))
        cost, D = missed(u)
        for _ in range(REGION_CLIMB):
            if cost == 0 or calls >= REGION_GUIDED:
                break
            push = D / max(float(np.abs(D).max()), TINY)
            tries = [_unit(u + s * push) for s in (0.5, -0.5, 2.0, -2.0)]
            tries.append(_unit(u + 0.3 * rng.standard_normal(A.size)))
            best = min((missed(v) + (v,) for v in tries), key=lambda t: t[0])
            if best[0] <= cost:
                cost, D, u = best
        return u if cost == 0 else None

    try:
        hits: list[np.ndarray] = []
        while calls < REGION_GUIDED and len(hits) < REGION_HITS:
            u = climbed()
            if u is not None:
                hits.append(u)
        if len(hits) > 1:  # (a region is a cone: their mean lies deeper in it, if one)
            mean = _unit(np.mean(hits, axis=0))
            if missed(mean)[0] == 0:
                yield mean, float(A @ mean), "a direction the backward took"
        for u in hits:
            yield u, float(A @ u), "a direction the backward took"
    except (*FAILED, KeyError):
        return


def _backward_beside(joint: Joint, u: np.ndarray, step: float) -> np.ndarray:
    """The backward's adjoints of the Joint's tensors at θ + δu, flat."""
    model = joint.model
    with np.errstate(all="ignore"):
        there = model.backward(model.forward(joint.values_at(joint.theta + step * u)))
    return np.concatenate([np.asarray(there[m], dtype=float).ravel() for m in joint.names])


def _unit(u: np.ndarray) -> np.ndarray:
    return u / max(float(np.abs(u).max()), TINY)


def _directions(
    joint: Joint, flagged: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, list[str]]:
    """The directions tried (rows, largest |u_i| 1), with their names: each leaf's
    entries all up, up in their order (a ramp: a stable sort's ties, the first of a
    max), up with the first or the last most (both at once: each moved up, as sign(0) =
    +1 takes, their ties broken by index), and scaled (θ itself: a unit's pre-activation
    moved by its scale); all leaves up, and scaled; the first REGION_AXES flagged
    entries one by one; REGION_RANDOM drawn at random; every leaf scaled up with one
    leaf moved down, or up (_scaled_apart). Each is tilted by REGION_TILT
    (normal; one with an order by that over its length, which keeps it): a direction
    along a kink's edge, which its own entries do not move, decides nothing; one tilted
    off it does, by a margin the region's central differences (REGION_LADDERS) stay
    within."""
    n, starts = joint.theta.size, joint.starts
    rows, tilts, names = [], [], []

    def add(u: np.ndarray, tilt: float, name: str) -> None:
        rows.append(u / np.abs(u).max())
        tilts.append(tilt)
        names.append(name)

    for t, name in enumerate(joint.names):
        a, b = int(starts[t]), int(starts[t + 1])
        if b == a:
            continue
        own = f"{name} " if len(joint.names) > 1 else "all "
        ramp = np.arange(1.0, b - a + 1) / (b - a)
        theta = joint.theta[a:b]
        for what, values, tilt in (
            ("up", np.ones(b - a), REGION_TILT),
            ("up in order", ramp, REGION_TILT / (b - a)),  # (a tilt that keeps the order)
            ("up, the first most", 2 - ramp, REGION_TILT / (b - a)),
            ("up, the last most", 1 + ramp, REGION_TILT / (b - a)),
            ("scaled up", theta, REGION_TILT),  # (a layer's units all moved by its scale)
        ):
            if np.any(values):
                u = np.zeros(n)
                u[a:b] = values
                add(u, tilt, own + what)
    if len(joint.names) > 1:
        add(np.ones(n), REGION_TILT, "every leaf up")
        if np.any(joint.theta):
            add(joint.theta.copy(), REGION_TILT, "every leaf scaled up")
    for k in flagged[:REGION_AXES]:
        u = np.zeros(n)
        u[int(k)] = 1.0
        add(u, REGION_TILT, f"e at {joint.entry(int(k))}")
    for _ in range(REGION_RANDOM):
        add(rng.standard_normal(n), 0.0, "a random direction")
    for u, name in _scaled_apart(joint):
        add(u, REGION_TILT, name)
    U = np.array(rows) + np.array(tilts)[:, None] * rng.standard_normal((len(rows), n))
    return U / np.abs(U).max(axis=1, keepdims=True), names


def _scaled_apart(joint: Joint) -> list[tuple[np.ndarray, str]]:
    """Every leaf scaled up, with one leaf's entries moved down, or up, by
    REGION_BESIDE_SCALED of the largest: W scaled up with b down turns a unit at 0 off
    while one at its upper kink (2 = W x) moves beyond it; no leaf alone does both."""
    if len(joint.names) < 2 or not np.any(joint.theta):
        return []
    scaled = joint.theta / np.abs(joint.theta).max()
    out = []
    for t, name in enumerate(joint.names):
        a, b = int(joint.starts[t]), int(joint.starts[t + 1])
        for sign, way in ((-1.0, "down"), (1.0, "up")):
            u = scaled.copy()
            u[a:b] += sign * REGION_BESIDE_SCALED
            out.append((u, f"every leaf scaled up, {name} {way}"))
    return out


def _reaches_theta(joint: Joint, u: np.ndarray, slope: float, step: float, size: float) -> bool:
    """Whether the loss's one-sided differences along u, REGION_FINE and KINK_AT_THETA
    times finer than the step, are still ``slope`` within their round-off
    (REGION_ROUNDOFF eps S / h, both ways: 2 evaluations) and REGION_MATCH: a region
    that starts at a kink 1e-8 beside θ, whose gradient A is not at θ, shows θ's own
    slope there (a mask `z > 1e-7` where z is 1e-8)."""
    hs = step / np.array([REGION_FINE, KINK_AT_THETA])
    try:
        with np.errstate(all="ignore"):
            f = joint.losses([(joint.theta, np.arange(u.size), h * u) for h in hs])
    except FAILED:
        return False
    loss = float(joint.env[joint.model.loss])
    fine = (f - loss) / hs
    room = 2 * REGION_ROUNDOFF * EPS * size / hs + REGION_MATCH * abs(slope)
    return bool(np.all(np.abs(fine - slope) <= room))


def _measured(
    joint: Joint, u: np.ndarray, A: np.ndarray, step: float, size: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """The gradient of the region along u at θ, entry by entry, and its error, where it
    is within REGION_OTHER of A everywhere (else None: another region, whose gradient
    differs by a kink's jump, not by an error of A's): per entry the best of
    REGION_LADDERS (_extrapolated), as Richardson takes the smaller estimate. The first
    ladder alone tells another region (its measurement is 10 n forward passes)."""
    best: tuple[np.ndarray, np.ndarray] | None = None
    for sigma, finer in REGION_LADDERS:
        try:
            with np.errstate(all="ignore"):
                G, error = _extrapolated(joint, u, sigma * step, finer, size)
        except FAILED:
            return None
        error = np.where(np.isfinite(G) & np.isfinite(error), error, np.inf)
        if best is not None:
            better = error < best[1]
            G, error = np.where(better, G, best[0]), np.where(better, error, best[1])
        if np.any(np.abs(A - G) > error + REGION_OTHER * _scale(A, G)):
            return None  # (another region: the caller's bound decides only for A's own)
        best = (G, error)
    return best


def kept_apart(
    full: Joint, span: tuple[int, int], found: Region, size: float, settings: "Settings"
) -> bool:
    """Whether the region of one leaf alone (``found``, over the entries ``span`` of
    ``full``'s θ, every leaf) keeps its gradient over that leaf whatever the other
    leaves do: along REGION_APART directions u ⊕ w (w random over the other leaves, as
    large as u), the leaf's gradient is found's within both errors.
    Then that leaf's kinks are its own, and A over it, found's gradient, is a limiting
    gradient beside every choice the other leaves' kinks make (a sort's tie in x3 beside
    a max of two equal leaves x1, x2). Where the others move it (one mask through W, b
    and x: a clip's units at a bound, whose side W alone picks and W, b and x together
    pick otherwise), the leaf's own region proves nothing."""
    a, b = span
    if full.theta.size > REGION_ENTRIES:
        return False
    rng = np.random.default_rng([settings.options.seed, 59])
    step = beside(full, settings)
    sigma, finer = REGION_LADDERS[0]
    for _ in range(REGION_APART):
        u = rng.standard_normal(full.theta.size)
        u[a:b] = 0.0
        u = _unit(u)
        u[a:b] = found.u
        try:
            with np.errstate(all="ignore"):
                G, error = _extrapolated(full, u, sigma * step, finer, size, np.arange(a, b))
        except FAILED:
            return False
        if not np.all(np.abs(G - found.G) <= error + found.error):
            return False
    return True


def _extrapolated(
    joint: Joint,
    u: np.ndarray,
    sigma: float,
    finer: float,
    size: float,
    entries: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Central differences h = σ / ``finer`` wide at θ + kσu (k = 1, 2, 4, 8), extrapolated
    quadratically to θ from the first three, and their error: the change from the same
    from the last three (8 times the error, as it is O(σ³)), the change of the first
    point's difference at twice its width (a kink within its reach), and REGION_ROUNDOFF
    eps S / h of round-off (times the extrapolation's weights, 5). At the positions
    ``entries`` of θ (every one by default)."""
    theta = joint.theta
    h = sigma / finer
    at_entries = range(theta.size) if entries is None else entries
    one = [np.array([i]) for i in at_entries]

    def at(k: float, width: float) -> np.ndarray:
        base = theta + k * sigma * u
        f = joint.losses([(base, i, np.array([sign * width])) for i in one for sign in (1, -1)])
        return (f[0::2] - f[1::2]) / (2 * width)

    d1, d2, d4, d8, wide = at(1, h), at(2, h), at(4, h), at(8, h), at(1, 2 * h)
    G = (8 * d1 - 6 * d2 + d4) / 3
    further = (8 * d2 - 6 * d4 + d8) / 3
    roundoff = 5 * REGION_ROUNDOFF * EPS * size / h
    return G, np.abs(G - further) + np.abs(wide - d1) + roundoff
