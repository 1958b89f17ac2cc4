"""Kinks moved together: A can be a subgradient at each kink alone and none at them all.

Each proved kink has A between its one-sided derivatives (sides.OneSided.holds), yet
kinks that share one non-smooth term can still rule A out: a max of three tied entries
whose backward gives each half the max's gradient (each share within [0, 1], their sum
1.5, not 1); relu(w · x) with w̄'s mask `u >= 0` and x̄'s `u > 0`. Along a direction v
over the kinks where the loss is smooth, every subgradient g has g · v equal to the
loss's derivative along v; A · v beyond it, there and at points beside θ, proves A none.

The kinks are those of one row (one tensor), or of several leaves taken together (a
Joint: their entries as one flat θ). Directions tried (_directions): all kinks by the
sign of their jumps, all of them as a plateau (Σ e_i), and pairs e_i / |J_i| ± e_j / |J_j|
(J a kink's jump, right − left): one kink through two coordinates is level along one of
these, whatever its slope in each. Where none is smooth (kinks whose normals span their
entries), v = A − (the nearest point of the hull of the gradients beside θ), and A·v is
held to the loss's one-sided derivatives along v (_outside_hull: a convex loss's). And
entries tied at one value, none of them a kink, are moved together (ties_apart).
"""

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from gradcheck_cli.engine.engines import DEFAULT_REL_STEP
from gradcheck_cli.engine.policy import (
    ALONG_BATCH,
    BESIDE_FINER,
    BESIDE_POINTS,
    COUPLED_KINKS,
    DIFFERENCE_ROUNDOFF,
    EPS,
    HULL_KINKS,
    HULL_MARGIN,
    HULL_POINTS,
    HULL_STEPS,
    KINK_AT_THETA,
    KINK_PAIRS,
    KINK_RATIO,
    KINK_WIDER,
    POLICY,
    REFERENCE,
    TIE_ENTRIES,
    TIE_GROUPS,
)
from gradcheck_cli.engine.sides import Central, OneSided, one_sided
from gradcheck_cli.errors import GradcheckError
from gradcheck_cli.models.model import Model, Values
from gradcheck_cli.records import frozen

if TYPE_CHECKING:
    from gradcheck_cli.engine.checking import Settings

Move = tuple[np.ndarray, np.ndarray, np.ndarray]  # (base θ, flat positions, what is added there)
Direction = tuple[np.ndarray, np.ndarray]  # (which kinks: indices into Kinks, v there)
SMOOTH_ALONG = " (the loss smooth along it)"
FAILED = (GradcheckError, TypeError, ValueError, ArithmeticError, IndexError)


@frozen(eq=False)
class Joint:
    """Tensors of the model taken as one flat vector θ, each one's entries in turn."""

    model: Model
    env: Values
    names: tuple[str, ...]

    @cached_property
    def theta(self) -> np.ndarray:
        return np.concatenate([np.asarray(self.env[n], dtype=float).ravel() for n in self.names])

    @cached_property
    def starts(self) -> np.ndarray:
        """Where each tensor's entries start in θ, and (last) θ's size."""
        return np.cumsum([0] + [int(np.size(self.env[n])) for n in self.names])

    def entry(self, k: int) -> str:
        """Position k of θ as its index, [2, 1], prefixed by its tensor's name where
        there are several: W1[2, 1]."""
        t = int(np.searchsorted(self.starts, k, side="right")) - 1
        name = self.names[t]
        index = [int(i) for i in np.unravel_index(k - self.starts[t], np.shape(self.env[name]))]
        return str(index) if len(self.names) == 1 else f"{name}{index}"

    def losses(self, moves: list[Move]) -> np.ndarray:
        """L at each move: one tensor's copies evaluated at once, in batches of at most
        ALONG_BATCH entries (pairs of moves kept together); several tensors' by one
        forward pass each."""
        if len(self.names) > 1:
            return np.array([self._forward(self._moved(m)) for m in moves])
        name = self.names[0]
        shape = np.shape(self.env[name])
        per = 2 * max(1, ALONG_BATCH // (2 * max(1, self.theta.size)))
        values = []
        for first in range(0, len(moves), per):
            copies = np.stack([self._moved(m).reshape(shape) for m in moves[first : first + per]])
            values.append(np.real(np.asarray(self.model.evaluate(self.env, name, copies))))
        return np.concatenate(values)

    @staticmethod
    def _moved(move: Move) -> np.ndarray:
        base, at, added = move
        t = base.copy()
        t[at] += added
        return t

    def _forward(self, theta: np.ndarray) -> float:
        return float(np.real(self.model.forward(self.values_at(theta))[self.model.loss]))

    def values_at(self, theta: np.ndarray) -> Values:
        """The model's leaves with the Joint's tensors at ``theta`` (flat)."""
        values = {leaf.name: self.env[leaf.name] for leaf in self.model.leaves}
        for name, a, b in zip(self.names, self.starts, self.starts[1:], strict=False):
            values[name] = theta[a:b].reshape(np.shape(self.env[name]))
        return values


@frozen(eq=False)
class Kinks:
    """Proved kinks to move together: their positions in a Joint's θ, A there, their
    one-sided derivatives' jump (right − left) and the tolerance A is held to there
    (OneSided.tol), and which of the Joint's tensors each is in."""

    at: np.ndarray
    A: np.ndarray
    jump: np.ndarray
    tol: np.ndarray
    tensor: np.ndarray

    @classmethod
    def of(
        cls, A: np.ndarray, sides: OneSided, kink: np.ndarray, start: int = 0, tensor: int = 0
    ) -> "Kinks":
        """The kinks ``kink`` of one tensor, its entries from ``start`` in θ."""
        assert sides.tol is not None  # (set by OneSided.at_sides)
        idx = np.flatnonzero(kink)
        jump = sides.right.ravel()[idx] - sides.left.ravel()[idx]
        parts = (A.ravel()[idx], jump, sides.tol.ravel()[idx])
        return cls(idx + start, *parts, np.full(idx.size, tensor))

    @classmethod
    def joined(cls, parts: list["Kinks"]) -> "Kinks":
        return cls(*(np.concatenate([getattr(k, f) for k in parts]) for f in cls._fields()))

    @staticmethod
    def _fields() -> tuple[str, ...]:
        return ("at", "A", "jump", "tol", "tensor")


@frozen
class Apart:
    """Why the kinks are no subgradient together, and the positions in θ of the
    direction that showed it."""

    why: str
    at: np.ndarray


def kinks_apart(
    joint: Joint, kinks: Kinks, size: float, settings: "Settings", across: bool = False
) -> Apart | None:
    """Whether A is no subgradient at ``kinks`` taken together, though it is at each
    alone; None where it is (or where that cannot be told). Along a direction v where
    the loss is smooth (its one-sided derivatives along v agree within their slack), A·v
    must equal that derivative, within the kinks' tolerances (times |v_i|) and its own
    slack, and must stay beyond it beside θ (_the_same_beside). Where v meets a kink of
    its own nothing is decided: its sides from finite steps can be anything there.
    ``size``: the loss's size for round-off (eps S / h); ``across``: pairs only of two
    tensors (each tensor's own were tried in its row)."""
    directions = _directions(kinks, settings.options.seed, across)
    if kinks.at.size < 2 or not directions:
        return None
    rel = settings.check.eps or DEFAULT_REL_STEP

    def scaled(at: np.ndarray) -> float:  # (the step from the largest |θ_i| at ``at``)
        return rel * max(1.0, float(np.abs(joint.theta[at]).max()))

    step, noise = scaled(kinks.at), roundoff(size)
    moved = [(kinks.at[i], v) for i, v in directions]
    own = np.array([scaled(at) for at, _ in moved])
    try:  # (each direction from its own kinks' scale, as a tie's: ties_apart)
        with np.errstate(all="ignore"):
            found = sides_along(joint, moved, own, noise)
    except FAILED:
        return None
    tol = np.array([np.sum(np.abs(v) * kinks.tol[i]) for i, v in directions]) + found.slack
    Av = np.array([np.dot(kinks.A[i], v) for i, v in directions])

    def at_theta(d: int) -> bool:  # (each kink moved along direction d sits at θ, and
        # moves with the others: _coupled)
        step_d = float(own[d])
        return _at_theta(joint, kinks, directions[d][0], step_d, noise) and _coupled(
            joint, kinks, directions[d], step_d, noise
        )

    d = _first_off(joint, moved, found, Av, tol, settings, also=at_theta)
    if d is not None:
        return Apart(_why(joint, kinks, directions[d], d, found, float(Av[d])), moved[d][0])
    return _outside_hull(joint, kinks, step, noise, settings)


def _first_off(
    joint: Joint,
    moved: list[tuple[np.ndarray, np.ndarray]],
    found: OneSided,
    Av: np.ndarray,
    reach: np.ndarray,
    settings: "Settings",
    among: np.ndarray | bool = True,
    also: Callable[[int], bool] = lambda d: True,
) -> int | None:
    """The first direction (among ``among``) along which the loss is smooth (its sides
    agree within their slack), A·v lies beyond its derivative by more than ``reach``,
    ``also`` holds, and the derivative holds beside θ too (_the_same_beside, with a
    quarter of A·v's distance from it as room); None where there is none."""
    with np.errstate(invalid="ignore"):
        off = ~found.resolved() & np.isfinite(reach) & among
        off &= (Av < found.lo - reach) | (Av > found.hi + reach)
    for d in np.flatnonzero(off):
        slope = float(found.left[d] + found.right[d]) / 2
        room = max(float(reach[d]), abs(float(Av[d]) - slope) / 4)
        if also(int(d)) and _the_same_beside(joint, moved[d], slope, room, settings):
            return int(d)
    return None


def _outside_hull(
    joint: Joint, kinks: Kinks, step: float, noise: float, settings: "Settings"
) -> Apart | None:
    """Whether A lies outside the subgradients where no direction over the kinks is
    smooth: several kinks through the same entries (residuals at 0 in an L1 regression
    over integer data), whose normals span them all. The gradients of the regions
    beside θ, on the kinks' entries, are taken at HULL_POINTS points θ + δ w (central
    differences δ / BESIDE_FINER wide); the point p of their hull nearest A gives v = A −
    p. Along v the loss's one-sided derivatives [lo, hi] bound every subgradient's g·v
    for a convex loss (g·v ≤ L'(θ; v)), or a concave one. So the kinks must all turn one
    way (their jumps of one sign), the loss along v too, and the regions' own g·v beside
    θ must lie within [lo, hi] (within a quarter of A·v's distance, as _the_same_beside
    asks): A·v beyond them, by HULL_MARGIN of Σ |v_i J_i| at least (a choice at one
    kink moves g·v by a share of its jump; sides along v that cross kinks beside θ
    drift by less), then proves A none. A hardtanh's kinks at both of its bounds
    turn both ways, and a correct backward's A, the gradient of a region that no point
    beside θ happened to reach, lies beyond. At most HULL_KINKS kinks, drawn by the seed."""
    rng = np.random.default_rng([settings.options.seed, 43])
    pick = np.arange(kinks.at.size)
    if pick.size > HULL_KINKS:
        pick = np.sort(rng.choice(pick.size, HULL_KINKS, replace=False))
    at, A, tol = kinks.at[pick], kinks.A[pick], kinks.tol[pick]
    turn = np.sign(kinks.jump[pick])  # (+1 at a convex kink, −1 at a concave one)
    if not np.all(turn == turn[0]):
        return None  # (kinks of both orientations: nothing bounds a region's g·v)
    try:
        with np.errstate(all="ignore"):
            G, blur = _regions_beside(joint, at, rng, settings)
            v = A - _nearest_in_hull(A, G)
            if not np.all(np.isfinite(G)) or not np.any(v):
                return None
            v /= np.abs(v).max()
            found = sides_along(joint, [(at, v)], step, noise)
    except FAILED:
        return None
    Av, lo, hi = float(A @ v), float(found.lo[0]), float(found.hi[0])
    reach = float(np.abs(v) @ tol + found.slack[0])
    beyond = max(reach, HULL_MARGIN * float(np.abs(v) @ np.abs(kinks.jump[pick])))
    if not np.isfinite(reach) or lo - beyond <= Av <= hi + beyond:
        return None
    if turn[0] * float(found.right[0] - found.left[0]) < -reach:
        return None  # (the loss turns the other way along v: not convex (concave) there)
    room = max(reach, (Av - hi if Av > hi else lo - Av) / 4) + blur * float(np.abs(v).sum())
    slopes = G @ v
    if np.any(slopes < lo - room) or np.any(slopes > hi + room):
        return None  # (the regions beside θ reach beyond the sides along v: not convex)
    if not _at_theta(joint, kinks, pick, step, noise):
        return None
    where = "" if len(joint.names) == 1 else f" of {', '.join(joint.names)}"
    return Apart(
        f"the {at.size} entries on a kink{where} are no subgradient together: along v = A − "
        "(the nearest point of the hull of the gradients beside θ) the loss's one-sided "
        f"derivatives are {float(found.left[0]):.6g} and {float(found.right[0]):.6g}, "
        f"and Σ v_i A_i = {Av:.6g}, beyond them{'' if found.resolved()[0] else SMOOTH_ALONG}",
        at,
    )


def _regions_beside(
    joint: Joint, at: np.ndarray, rng: np.random.Generator, settings: "Settings"
) -> tuple[np.ndarray, float]:
    """The gradients, on the entries ``at``, of the regions at HULL_POINTS points θ + δ w
    beside θ (w normal, δ the reference's step; central differences δ / BESIDE_FINER
    wide): (points × entries), and their round-off per unit of |v|."""
    theta, delta = joint.theta, beside(joint, settings)
    h = delta / BESIDE_FINER
    moves = [
        (theta + delta * w, np.array([i]), np.array([sign * h]))
        for w in rng.standard_normal((HULL_POINTS, theta.size))
        for i in at
        for sign in (1.0, -1.0)
    ]
    f = joint.losses(moves).reshape(HULL_POINTS, at.size, 2)
    loss = abs(float(joint.env[joint.model.loss]))
    blur = DIFFERENCE_ROUNDOFF * EPS * max(loss, float(np.max(np.abs(f)))) / h
    return (f[..., 0] - f[..., 1]) / (2 * h), blur


def _at_theta(
    joint: Joint,
    kinks: Kinks,
    which: np.ndarray,
    step: float,
    noise: float,
    base: np.ndarray | None = None,
) -> bool:
    """Whether each of the kinks ``which`` sits at θ (or at ``base``), not beside it: its
    jump shows in one-sided differences KINK_AT_THETA times finer than the moves' step
    too, above their round-off. A kink 1e-8 from θ looks like one at θ to every coarser
    step; A, the gradient of θ's own sliver of a region, is then no subgradient of what
    those steps see, and that proves nothing."""
    steps = step / KINK_AT_THETA * np.array([1.0, 2.0, 4.0])
    theta = joint.theta if base is None else base
    moves = [
        (theta, kinks.at[[i]], np.array([s * hk])) for hk in steps for i in which for s in (1, -1)
    ]
    if base is not None:  # (L at the base too, in the same batch)
        moves.append((theta, kinks.at[which[:1]], np.zeros(1)))
    try:
        with np.errstate(all="ignore"):
            f = joint.losses(moves)
    except FAILED:
        return False
    loss = float(joint.env[joint.model.loss]) if base is None else float(f[-1])
    f = f[: 6 * len(which)].reshape(3, len(which), 2)
    spread = ((f[..., 0] - loss) - (loss - f[..., 1])) / steps[:, None]
    jump = np.abs(kinks.jump[which])
    with np.errstate(invalid="ignore"):
        near = np.abs(spread - kinks.jump[which])
        seen = (near[0] <= jump / 2) & (jump > 4 * noise / steps[0])
        # (or the jump the same at three steps within a quarter of it, which L's
        # round-off, ∝ 1 / h, is not: its allowance, 256 eps S / h, is an upper bound)
        steady = np.all(near <= jump / 4, axis=0)
        return bool(np.all(seen | steady))


def _coupled(joint: Joint, kinks: Kinks, direction: Direction, step: float, noise: float) -> bool:
    """Whether each kink of ``direction`` (at most COUPLED_KINKS of them) moves when the
    others move along it: kinks that share one non-smooth term (ties of one sort, one
    relu through w and x). Kinks of their own (a sort's tie at 1 and another at 0) can
    cancel their jumps along a direction by chance: the loss looks smooth along it and
    its slope there says nothing of A (a sort of [−3, 1, 1, 3, 0, 0], fuzzer program
    9000030: autograd's A FAILed). A kink that stays at θ_i, the others moved by ± the
    step along the direction, is one of its own."""
    which, v = direction
    theta = joint.theta
    for n in range(min(which.size, COUPLED_KINKS)):
        others = np.delete(np.arange(which.size), n)

        def moved(sign: float, others: np.ndarray = others) -> np.ndarray:
            base = theta.copy()
            base[kinks.at[which[others]]] += sign * step * v[others]
            return base

        if all(_at_theta(joint, kinks, which[[n]], step, noise, moved(s)) for s in (1.0, -1.0)):
            return False
    return True


def _nearest_in_hull(a: np.ndarray, G: np.ndarray) -> np.ndarray:
    """The point of the hull of G's rows nearest a, near enough to point from it to a:
    HULL_STEPS of accelerated projected gradient over the weights on the simplex."""
    m = G.shape[0]
    lam = y = np.full(m, 1.0 / m)
    lipschitz = float(np.linalg.norm(G, 2)) ** 2 or 1.0
    t = 1.0
    for _ in range(HULL_STEPS):
        new = _simplex(y - G @ (G.T @ y - a) / lipschitz)
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        y = new + (t - 1) / t_next * (new - lam)
        lam, t = new, t_next
    return G.T @ lam


def _simplex(x: np.ndarray) -> np.ndarray:
    """x projected on the probability simplex (sort-based)."""
    u = np.sort(x)[::-1]
    css = np.cumsum(u) - 1.0
    k = np.flatnonzero(u - css / np.arange(1, x.size + 1) > 0)[-1]
    return np.maximum(x - css[k] / (k + 1), 0.0)


def _why(
    joint: Joint, kinks: Kinks, direction: Direction, d: int, found: OneSided, Av: float
) -> str:
    """The reason a direction gives: which kinks, moved how, and the numbers."""
    at, v = direction
    where = "" if len(joint.names) == 1 else f" of {', '.join(joint.names)}"
    if d < 2:
        moved = f"the {kinks.at.size} entries on a kink{where} are no subgradient together: "
        moved += "moved together (Σ ±e_i over them)" if d == 0 else "moved together "
        moved += "" if d == 0 else "(Σ e_i over them: a plateau moved whole)"
        hint = " (a tie whose gradient each tied entry takes in full, or a term dropped?)"
    else:
        i, j = (joint.entry(int(kinks.at[k])) for k in at)
        w = v[1] / v[0]
        along = (
            f"e_i {'+' if w > 0 else '−'} {abs(w):.3g} e_j"
            if abs(abs(w) - 1) > 1e-12
            else (f"e_i {'+' if w > 0 else '−'} e_j")
        )
        moved = f"entries {i} and {j}, each on a kink, are no subgradient together: moved "
        moved += f"along {along} (the loss smooth along it)"
        hint = ""
    return (
        f"{moved}, the loss's one-sided derivatives are {float(found.left[d]):.6g} and "
        f"{float(found.right[d]):.6g}, and Σ v_i A_i = {Av:.6g}{hint}"
    )


def _directions(kinks: Kinks, seed: int, across: bool) -> list[Direction]:
    """The directions the kinks are moved along: all of them, each by the sign of its
    jump (tied entries of one max: moved together the max is smooth); all of them by +1
    (a plateau, which overlapping windows' maxima share); then at most KINK_PAIRS pairs
    e_i / |J_i| ± e_j / |J_j| (scaled so that the larger weight is 1), those whose jumps
    agree within their tolerances first (a hinge over integer data puts one margin's
    kink through W[2,1] and W[3,1] alike), then others drawn by the seed. ``across``:
    only pairs of two tensors, and none of the first two unless several tensors."""
    n = kinks.at.size
    ones = np.arange(n)
    sign = np.where(kinks.jump >= 0, 1.0, -1.0)
    out: list[Direction] = []
    if not across or len(set(kinks.tensor.tolist())) > 1:
        out += [(ones, sign), (ones, np.ones(n))]
    rng = np.random.default_rng([seed, 37])
    for a, b, equal in _pairs(kinks, rng, across):
        w = np.ones(2) if equal else 1.0 / np.abs(kinks.jump[[a, b]])
        w /= w.max()  # (equal jumps: e_i ± e_j exactly, not as their measured ratio)
        for s in (1.0, -1.0):
            out.append((np.array([a, b]), w * np.array([1.0, s])))
    return out


def _pairs(kinks: Kinks, rng: np.random.Generator, across: bool) -> list[tuple[int, int, bool]]:
    """At most KINK_PAIRS pairs of kinks (a < b, and whether their jumps are equal):
    equal jumps first, then any, drawn by the seed."""
    jump, tol, n = kinks.jump, kinks.tol, kinks.at.size
    order = np.argsort(jump, kind="stable")
    apart = kinks.tensor[:, None] != kinks.tensor[None, :] if across else None
    equal = []
    for k, a in enumerate(order):
        for b in order[k + 1 :]:
            if jump[b] - jump[a] > tol[a] + tol[b]:
                break
            if apart is None or apart[a, b]:
                equal.append((int(min(a, b)), int(max(a, b))))
    chosen = _drawn(equal, KINK_PAIRS, rng)
    first = len(chosen)
    if first < KINK_PAIRS and n > 1:
        taken = set(chosen)
        others = [
            (a, b)
            for a in range(min(n, 4 * KINK_PAIRS))
            for b in range(a + 1, min(n, 4 * KINK_PAIRS))
            if (a, b) not in taken and (apart is None or apart[a, b])
        ]
        chosen += _drawn(others, KINK_PAIRS - len(chosen), rng)
    return [(a, b, k < first) for k, (a, b) in enumerate(chosen)]


def _drawn(pairs: list[tuple[int, int]], k: int, rng: np.random.Generator) -> list:
    if len(pairs) <= k:
        return list(pairs)
    return [pairs[c] for c in np.sort(rng.choice(len(pairs), k, replace=False))]


def roundoff(size: float) -> float:
    """The round-off a one-sided difference of a loss of ``size`` may carry, times its
    step: DIFFERENCE_ROUNDOFF eps S (the sides' noise, divided by h where it is used)."""
    return DIFFERENCE_ROUNDOFF * POLICY[REFERENCE].eps * size


def beside(joint: Joint, settings: "Settings") -> float:
    """How far from θ its points beside θ lie: the reference's step, δ = eps · max(1, |θ|)."""
    return (settings.check.eps or DEFAULT_REL_STEP) * max(1.0, float(np.abs(joint.theta).max()))


def _the_same_beside(
    joint: Joint,
    direction: tuple[np.ndarray, np.ndarray],
    slope: float,
    room: float,
    settings: "Settings",
) -> bool:
    """Whether the loss's derivative along v is within ``room`` of ``slope`` at
    BESIDE_POINTS points θ + δ w beside θ too (w normal over θ, so that ties break; δ
    the reference's step; the derivative by central differences δ / BESIDE_FINER wide).
    kinks_apart gives a quarter of A·v's distance from the slope as room: every
    subgradient's g·v lies among such derivatives near θ (each limit of gradients there
    does, and so their hull), and A·v then lies beyond them all. A loss smooth along v
    at θ alone, where kinks of both orientations cancel (relu(x₀) + min(x₁, 0) along
    (1, 1): 1 at θ, 0 or 2 beside it), holds a subgradient to nothing along v."""
    at, v = direction
    delta = beside(joint, settings)
    rng = np.random.default_rng([settings.options.seed, 41])
    points = rng.standard_normal((BESIDE_POINTS, joint.theta.size))
    try:
        with np.errstate(all="ignore"):
            wide, noise = _slopes_beside(joint, at, v, points * delta, delta / BESIDE_FINER)
            if np.all(np.abs(wide - slope) <= room + noise):
                return True
            # (the curvature's part of the change, ∝ δ, extrapolated away from the points
            # KINK_RATIO times nearer: a tie beside a quadratic of 1e5, whose slope along
            # the tie moves by 6 at δ; a kink's moves the same at either distance)
            near, fine = _slopes_beside(
                joint, at, v, points * delta / KINK_RATIO, delta / BESIDE_FINER / KINK_RATIO
            )
    except FAILED:
        return False
    r = KINK_RATIO - 1.0
    at_theta = near + (near - wide) / r
    return bool(np.all(np.abs(at_theta - slope) <= room + fine * (1 + 1 / r) + noise / r))


def _slopes_beside(
    joint: Joint, at: np.ndarray, v: np.ndarray, moves: np.ndarray, h: float
) -> tuple[np.ndarray, float]:
    """The loss's derivative along v (on the entries ``at``) at θ + each row of ``moves``,
    by central differences h wide, and their round-off."""
    f = joint.losses([(joint.theta + m, at, s * h * v) for m in moves for s in (1.0, -1.0)])
    loss = abs(float(joint.env[joint.model.loss]))
    noise = DIFFERENCE_ROUNDOFF * EPS * max(loss, float(np.max(np.abs(f)))) / h
    return (f[0::2] - f[1::2]) / (2 * h), noise


def sides_along(
    joint: Joint,
    moved: list[tuple[np.ndarray, np.ndarray]],
    step: float | np.ndarray,
    noise: float,
) -> OneSided:
    """The loss's one-sided derivatives along each direction (positions in θ, v there),
    by one_sided's ladder of steps (KINK_WIDER, then the reference's kink steps), from
    ``step``: one for all, or one per direction."""
    theta = joint.theta
    loss = float(joint.env[joint.model.loss])
    steps = np.broadcast_to(np.asarray(step, dtype=float), (len(moved),))

    def at(k: float) -> tuple[Central, np.ndarray]:
        h = steps / k
        pairs = zip(moved, h, strict=True)
        moves = [(theta, at_, s * hd * v) for (at_, v), hd in pairs for s in (1.0, -1.0)]
        f = joint.losses(moves)
        plus, minus = (f[0::2] - loss) / h, (loss - f[1::2]) / h
        return Central((plus + minus) / 2, plus, minus), noise / h

    return one_sided([at(k) for k in (*KINK_WIDER, *POLICY[REFERENCE].kink_steps)])


def tied(theta: np.ndarray) -> bool:
    """Whether two entries of θ (of at most TIE_ENTRIES) are equal: a sort, 4 times
    quicker than np.unique (2 ms at 65,536 entries)."""
    if theta.size > TIE_ENTRIES or theta.size < 2:
        return False
    ordered = np.sort(theta, axis=None)
    return bool(np.any(ordered[1:] == ordered[:-1]))


def ties_apart(
    joint: Joint, A: np.ndarray, tol: np.ndarray, size: float, settings: "Settings"
) -> Apart | None:
    """Whether A is no subgradient over entries of one tensor tied at one value, moved
    together (Σ e_i over each tie, at most TIE_GROUPS of them, the largest first): where
    moving any one of them alone changes nothing (a median inside a tie of four, the
    second largest with the top three tied), no entry is a kink and A = N = 0 at each,
    yet every subgradient's entries over the tie sum to the loss's slope along it. As
    kinks_apart: only where the loss is smooth along v, and stays so beside θ."""
    theta = joint.theta
    if not tied(theta):
        return None
    values, inverse, counts = np.unique(theta, return_inverse=True, return_counts=True)
    ties = np.flatnonzero(counts > 1)
    ties = ties[np.argsort(-counts[ties], kind="stable")][:TIE_GROUPS]
    groups = [np.flatnonzero(inverse.ravel() == g) for g in ties]
    moved = [(g, np.ones(g.size)) for g in groups]
    rel = settings.check.eps or DEFAULT_REL_STEP
    step = rel * np.maximum(1.0, np.abs(values[ties]))  # (each tie's own scale: ties at 0
    # and at 7e7 in one tensor, moved by 420 both, swept a softmax of 0's row flat)
    noise = roundoff(size)
    try:
        with np.errstate(all="ignore"):
            found = sides_along(joint, moved, step, noise)
    except FAILED:
        return None
    reach = np.array([np.sum(tol[g]) for g in groups]) + found.slack
    Av = np.array([np.sum(A[g]) for g in groups])
    # (L unmoved at every step: a slope below what its float64 value shows, or steps
    # beyond the loss's own scale, tell nothing)
    seen = (found.left != 0) | (found.right != 0)
    d = _first_off(joint, moved, found, Av, reach, settings, among=seen)
    if d is None:
        return None
    return Apart(
        f"the {groups[d].size} entries tied at {float(values[ties[d]]):.6g} are no "
        f"subgradient together: moved together (Σ e_i over the tie) the loss is smooth, its "
        f"one-sided derivatives {float(found.left[d]):.6g} and {float(found.right[d]):.6g}, "
        f"and Σ A_i = {float(Av[d]):.6g} (an order statistic's gradient dropped at a tie?)",
        groups[d],
    )
