"""Models written by users in a Python file, behind the same Model protocol.

A model file defines three functions (loading it runs its code):

    def init(rng):      -> {name: array}   the leaves: parameters, inputs, targets
    def forward(p, tap) -> the scalar loss; tap(name, value) returns value and exposes
                           an intermediate to the checker, which may replace it
    def backward(v):    -> {name: adjoint}  hand-derived adjoints of leaves and tapped
                           intermediates; v holds both by name

and optionally TARGETS (leaves not to check, e.g. ["t"]), COMPLEX_SAFE (True or
False: whether the forward is complex-analytic, where the probe should not decide),
and for the tables SHAPES (symbolic shapes), FORMULAS (forward formulas) and
ADJOINT_FORMULAS, each by name.

Errors in the user's code become one ModelError naming the user's file, function and
line (calls.py); the checker never shows our frames for their mistakes.
"""

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradcheck_cli.errors import ModelError, OutsideDomain, nearest
from gradcheck_cli.models.model import Formula, Leaf, Model, Step, Values, adjoint_label
from gradcheck_cli.models.user.calls import call_user, changed_in_place, leaf_copies, load_module

REQUIRED = ("init", "forward", "backward")


def load(path: str, seed: int, max_memory: int | None = None) -> "UserModel":
    """The model a file defines, with leaves drawn from ``seed``; refused before its
    forward runs if its leaves alone need more than ``max_memory`` bytes to check."""
    return from_module(load_module(path), path, seed, max_memory)


def from_module(module: Any, path: str, seed: int, max_memory: int | None = None) -> "UserModel":
    """A model from any object with init, forward and backward (a module, a class...)."""
    functions = {name: getattr(module, name, None) for name in REQUIRED}
    for name, fn in functions.items():
        if not callable(fn):
            defined = [
                n
                for n in dir(module)
                if callable(getattr(module, n, None)) and not n.startswith("_")
            ]
            raise ModelError(
                f"{path} defines no {name}(){nearest(name, defined)}; a model file needs "
                f"init(rng), forward(p, tap) and backward(v){_layers_hint(module, path)}"
            )
    model = UserModel.build(
        path,
        seed,
        max_memory,
        functions,
        getattr(module, "TARGETS", ()),
        dict(getattr(module, "SHAPES", {})),
        dict(getattr(module, "FORMULAS", {})),
        dict(getattr(module, "ADJOINT_FORMULAS", {})),
    )
    model.complex_safe = _declared_safe(module, path)
    return model


def _declared_safe(module: Any, path: str) -> bool | None:
    """COMPLEX_SAFE, where the file declares it: True (its forward is complex-analytic:
    the complex step, with no probe) or False (it is not: Richardson); None (absent):
    the probe decides."""
    declared = getattr(module, "COMPLEX_SAFE", None)
    if declared is None or isinstance(declared, bool):
        return declared
    raise ModelError(
        f"{path}: COMPLEX_SAFE is {declared!r}; allowed: True, False, or leave it out "
        "(the probe decides)"
    )


def _layers_hint(module: Any, path: str) -> str:
    """For a file of CS231n layer pairs given as a model file: the command that checks
    one of them (models/layers.py), its forward's inputs named."""
    import inspect

    def fn(name: str) -> Any:
        return getattr(module, name, None)

    pairs = sorted(
        n.removesuffix("_forward")
        for n in dir(module)
        if n.endswith("_forward") and callable(fn(n)) and callable(fn(f"{n[:-8]}_backward"))
    )
    if not pairs:
        return ""
    try:
        inputs = list(inspect.signature(fn(f"{pairs[0]}_forward")).parameters)
    except (TypeError, ValueError):
        inputs = ["x"]
    shapes = " ".join(f"--shape {n}=…" for n in inputs if not n.endswith(("param", "params")))
    return (
        f"; it defines layers ({', '.join(pairs)}): check one with "
        f"'gradcheck layer {path} {pairs[0]} {shapes}'"
    )


@dataclass
class _Tap:
    """Records the intermediates of one forward run; replaces one of them if asked."""

    path: str
    replace_name: str | None = None
    replace_value: object = None
    pinned_to: Values | None = None  # the real forward's taps: a complex step's real parts
    watched: Values | None = None  # ... or the env's: whether a complex tap is off them
    kept: dict | None = None  # copies of the taps as tapped (_pure: changed in place after?)

    def __post_init__(self) -> None:
        self.values: dict[str, np.ndarray] = {}
        self.compared = self.off = False

    def __call__(self, name: Any, value: Any) -> Any:
        if not isinstance(name, str):
            raise ModelError(f"{self.path}: tap() takes a name first, got {name!r}")
        if name in self.values:
            raise ModelError(f"{self.path}: tap name '{name}' is used twice in forward()")
        if name == self.replace_name:
            value = self.replace_value
        elif self.pinned_to is not None:
            value = _pinned(value, self.pinned_to.get(name))
        elif self.watched is not None and _comparable(value, self.watched.get(name)):
            self.compared = True
            self.off = self.off or _off(value, self.watched[name])
        self.values[name] = value
        if self.kept is not None and isinstance(value, np.ndarray):
            self.kept[name] = np.array(value, copy=True)
        return value


def _pinned(value: Any, old: Any) -> Any:
    """A complex-stepped tap with its real part the real forward's (sparse.pin, at the one
    place a model file's forward shows its steps): numpy's complex log1p of 3e-10 is off
    by 3e-7 of it, and a near fit downstream (y − t of 1e-22 beside y of 1e-8) made that
    a complex step of 2e-29 where A is 3e-36. As it is where either is not a plain array
    of the same shape (an audited probe's, a real value)."""
    if not _comparable(value, old):
        return value
    return old + 1j * value.imag


def _off(value: np.ndarray, old: np.ndarray) -> bool:
    """Whether a complex-stepped tap's real part is off ``old`` (the env's value) by more
    than PINNED_OFF eps of old's largest entry: numpy's complex arithmetic rounds within
    a few of those (a matrix product's, an exp's), but for a few functions (log1p of a
    small argument); a forward moved by ulps (verdict.forward_rounding) has taps off what
    its leaves compute."""
    eps = float(np.finfo(old.dtype).eps)
    with np.errstate(invalid="ignore"):
        most = PINNED_OFF * eps * float(np.max(np.abs(old), initial=0.0))
        return bool(np.any(np.abs(value.real - old) > most))


def _comparable(value: Any, old: Any) -> bool:
    """A plain complex array (a complex step's, not an audited probe's) and a real one of
    its shape."""
    if type(value) is not np.ndarray or not np.iscomplexobj(value):
        return False
    return type(old) is np.ndarray and old.dtype.kind == "f" and old.shape == value.shape


PINNED_OFF = 64  # a complex tap's real part this many eps off the env's: pinned (_off)


@dataclass
class UserModel(Model):
    """A Model whose forward and backward are the user's functions: its steps are the
    tapped intermediates, opaque (fn None); perturbed copies run one by one through the
    user's forward."""

    path: str = ""
    user_forward: Callable | None = None
    user_backward: Callable | None = None
    sizes: dict[str, int] = field(default_factory=dict)  # entries of each leaf and tap
    # a leaf's adjoint missing from backward(): a FAIL, saying this
    no_adjoint: str = (
        "backward() returned no {label}; list {name} in TARGETS if it is data, "
        "not a variable to check"
    )

    @classmethod
    def build(
        cls,
        path: str,
        seed: int,
        max_memory: int | None,
        functions: Mapping[str, Any],  # init, forward, backward: callable (from_module checks)
        targets: Iterable[str],
        shapes: dict[str, str],
        formulas: dict[str, str],
        adjoint_formulas: dict[str, str],
    ) -> "UserModel":
        init, forward, backward = (functions[n] for n in REQUIRED)
        with np.errstate(all="ignore"):  # (as in the check: a NaN or Inf is reported)
            raw = call_user(path, "init", init, np.random.default_rng(seed))
        values = _leaf_values(raw, path, set(targets))
        _leaves_fit(values, path, max_memory)
        unknown_targets = [t for t in targets if t not in values]
        if unknown_targets:
            raise ModelError(
                f"{path}: TARGETS names {', '.join(unknown_targets)}, which init() does not "
                f"return; leaves: {', '.join(values)}"
            )
        with np.errstate(all="ignore"):
            try:
                probe = _pure(forward, backward, values, path)  # the taps, and a scalar loss
            except ModelError as e:
                raise ModelError(str(e) + _ints_made_float(raw, targets)) from None
        if all(t in targets for t in values) and not probe.values:
            raise ModelError(
                f"{path}: nothing to check: every leaf is in TARGETS and forward() "
                "taps no intermediate"
            )
        leaves = [
            Leaf(n, shapes.get(n, _dims(v)), "target" if n in targets else "leaf", n not in targets)
            for n, v in values.items()
        ]
        steps = [
            Step(n, (), None, formulas.get(n, ""), shapes.get(n, _dims(v)))
            for n, v in probe.values.items()
        ]
        steps.append(Step("L", (), None, formulas.get("L", "forward(p, tap)"), "1×1"))
        checked = [s.name for s in reversed(steps[:-1])] + [l.name for l in leaves if l.checked]
        model = cls(
            name=os.path.basename(path),
            title=f"your model, {os.path.basename(path)}",
            symbols={},
            leaves=leaves,
            init=lambda: values,
            steps=steps,
            formulas=[Formula(n, adjoint_formulas.get(n, ""), None) for n in checked],
            parameters=(
                "entries of the leaves",
                int(sum(np.size(values[l.name]) for l in leaves if l.checked)),
            ),
            path=path,
            user_forward=forward,
            user_backward=backward,
            recipe=_recipe(path, seed),
            sizes={
                **{n: int(np.size(v)) for n, v in values.items()},
                **{n: int(np.size(v)) for n, v in probe.values.items()},
                "L": 1,
            },
        )
        return model

    def _forward(self) -> Callable:
        assert self.user_forward is not None, "built by UserModel.build"
        return self.user_forward

    def _backward(self) -> Callable:
        assert self.user_backward is not None, "built by UserModel.build"
        return self.user_backward

    def entries(self, name: str) -> int:
        return self.sizes[name]

    def sparse_for(self, name: str) -> bool:
        return False  # the user's forward is one function: no steps to run sparsely

    def missing(self, name: str) -> str | None:
        if name not in {leaf.name for leaf in self.leaves}:
            return None  # a tapped intermediate's: NOT CHECKED
        return self.no_adjoint.format(label=adjoint_label(name), name=name)

    def checked(self) -> list[str]:
        return [f.name for f in self.formulas]

    def forward(self, values: Values | None = None) -> dict:
        values = self.values if values is None else values
        tap = _Tap(self.path)
        loss = _real(_run(self._forward(), values, tap, self.path), self.path)
        return {**values, **tap.values, "L": loss}

    def downstream(self, name: str) -> list[Step]:
        names = [s.name for s in self.steps]
        return self.steps[names.index(name) + 1 :] if name in names else list(self.steps)

    def evaluate(
        self,
        base: Values,
        name: str,
        value: np.ndarray,
        upto: str | None = None,
        pinned: bool = True,
    ) -> np.ndarray:
        """The loss (or the tapped ``upto``) for each perturbed copy in ``value``, in turn
        (one function: nothing between steps to pin). A real copy at which the forward
        raises a numeric error (OutsideDomain) lies outside the loss's domain: NaN there,
        as a log of a negative number gives, and the error kept for a note (``outside``)."""
        out = []
        replaced = self._replaced(name)
        watch, real = pinned, None  # (the real forward's taps, once a complex tap is off)
        for k in range(len(value)):
            copy = value[k, ...]  # (an array, 0-d too: an audited probe stays audited)
            tap = _Tap(self.path, replaced, copy, pinned_to=real, watched=base if watch else None)
            try:
                loss = self._run_at(base, name, copy, tap)
            except OutsideDomain as e:
                out.append(self._outside_at(e, name, copy, base, upto))
                continue
            if tap.off:  # (again, and every later copy, its taps' real parts the real
                real, watch = self._real_taps(base, name, value), False  # forward's: _pinned)
                tap = _Tap(self.path, replaced, copy, pinned_to=real)
                loss = self._run_at(base, name, copy, tap)
            watch = watch and not tap.compared  # (the first copy that shows its taps decides)
            out.append(loss if upto in (None, self.loss) else tap.values[upto])
        return np.array(out)

    def _outside_at(
        self, e: OutsideDomain, name: str, copy: np.ndarray, base: Values, upto: str | None
    ) -> np.ndarray:
        """NaN for a real copy at which the forward raised a numeric error (kept for a
        note); the error itself at a complex step's copy (the probe's to tell)."""
        if np.iscomplexobj(copy):
            raise e
        self.outside.append(f"{e} ({_moved(name, copy, base)})")
        return np.full(() if upto in (None, self.loss) else np.shape(base[upto]), np.nan)

    def _run_at(self, base: Values, name: str, at: Any, tap: "_Tap") -> np.ndarray:
        """The loss of the user's forward at the leaves of ``base``, with ``name`` at ``at``
        (a leaf's value; a tap's is ``tap``'s to replace)."""
        p = {l.name: base[l.name] for l in self.leaves}
        if name in p:
            p[name] = at
        return _run(self._forward(), p, tap, self.path)

    def _replaced(self, name: str) -> str | None:
        """The tap a step at ``name`` replaces: None where ``name`` is a leaf."""
        return None if any(l.name == name for l in self.leaves) else name

    def _real_taps(self, base: Values, name: str, value: Any) -> Values | None:
        """The taps of the real forward at the complex steps' real part (the first copy's:
        a batch of complex steps shares it), which a complex step's taps are pinned to;
        None where ``value`` is no plain complex array. From the leaves of ``base``, not
        its taps: a forward moved by ulps (verdict.forward_rounding) moves those apart
        from what its leaves compute."""
        if type(value) is not np.ndarray or not np.iscomplexobj(value) or not len(value):
            return None
        at = np.ascontiguousarray(value[0].real)
        tap = _Tap(self.path, self._replaced(name), at)
        self._run_at(base, name, at, tap)
        return tap.values

    def backward(self, values: Values) -> dict:
        raw = call_user(self.path, "backward", self._backward(), dict(values))
        good = _adjoints(
            raw, self.path, self.checked(), {l.name for l in self.leaves if not l.checked}
        )
        if self.chain and self.overrides:
            raise ModelError(
                "--chain needs formulas for every adjoint; a model file's backward() is "
                "one function: type formulas without --chain"
            )
        out = dict(good)
        for name, f in self.overrides.items():
            out[name] = f.fn(values, good)
        return out


def _recipe(path: str, seed: int) -> tuple | None:
    """How a worker process builds this model again (engine/workers.py): load the file;
    its size and time of change make an edited file a new recipe."""
    if not (os.path.isfile(path) and path.endswith(".py")):
        return None
    stat = os.stat(path)
    return (_reload, os.path.abspath(path), seed, stat.st_mtime_ns, stat.st_size)


def _reload(path: str, seed: int, *changed: int) -> "UserModel":
    return load(path, seed)


def _pure(forward: Callable, backward: Callable, values: dict, path: str) -> "_Tap":
    """Run forward twice and backward twice on copies of the same leaves, and forward once
    more after a call at other leaves; stop with one line where either changes its
    inputs in place (forward a tap, after tap() took it), gives another result the
    second time (a dropout mask drawn inside forward(): every numerical derivative would
    compare two different functions), keeps state (_stateless), or a tap the loss does
    not use has an adjoint (_taps_used). Returns the first run's taps."""

    def once(at: dict = values) -> tuple[np.ndarray, _Tap]:
        p, tap = leaf_copies(at), _Tap(path, kept={})
        loss = _real(_run(forward, p, tap, path), path)
        touched = changed_in_place(at, p)
        if touched:
            raise ModelError(
                f"{path}: forward() changed p['{touched}'] in place; build new arrays "
                f"(p['{touched}'] * 0.5, not p['{touched}'] *= 0.5)"
            )
        touched = changed_in_place(tap.kept or {}, tap.values)
        if touched:  # (the env would hold what it became, and each step's copy drifts)
            raise ModelError(
                f"{path}: forward() changed '{touched}' in place after tap() took it; "
                f"build new arrays ({touched} + b, not {touched} += b; np.maximum({touched}, 0), "
                f"not {touched}[{touched} < 0] = 0)"
            )
        return loss, tap

    (first, tap), (second, _) = once(), once()
    _names_apart(values, tap, path)
    _taps_real(tap, path)
    if not _same_loss(first, second):
        raise ModelError(
            f"{path}: forward() is not deterministic: L = {float(first):.17g} then "
            f"{float(second):.17g}; draw random numbers in init(rng)"
        )
    _stateless(once, values, first, path)
    v = {**values, **tap.values}
    results = []
    for _ in range(2):
        given = leaf_copies(v)
        results.append(call_user(path, "backward", backward, given))
        touched = changed_in_place(v, given)
        if touched:
            raise ModelError(
                f"{path}: backward() changed v['{touched}'] in place; build new arrays"
            )
    if isinstance(results[0], dict) and isinstance(results[1], dict):
        differs = changed_in_place(results[0], results[1])
        if differs and differs in results[0] and isinstance(results[0][differs], np.ndarray):
            raise ModelError(
                f"{path}: backward() is not deterministic: its '{differs}' differs "
                "between two calls on the same values"
            )
        _taps_used(forward, values, tap, results[0], first, path)
    return tap


def _names_apart(values: dict, tap: _Tap, path: str) -> None:
    """Stop with one line where a tap has the name of a value init() gives, or of the
    loss: the forward's values are one namespace, and the tap's would replace the leaf's
    (every numerical derivative then taken at the tap's value: x = tap("x", 2 * p["x"])
    FAILed the true w̄)."""
    for name in tap.values:
        if name in values or name == "L":
            what = "a value init() gives" if name in values else "the loss's name"
            raise ModelError(
                f"{path}: tap name '{name}' is {what}; give the tap a name of its own "
                f"(tap('{name}_tap', …))"
            )


def _moved(name: str, copy: np.ndarray, base: Values) -> str:
    """Where a perturbed copy of ``name`` lies: its entry moved most, and by how much."""
    with np.errstate(all="ignore"):
        move = np.asarray(copy, dtype=np.float64) - np.asarray(base[name], dtype=np.float64)
    if move.size == 0 or not np.any(move):
        return f"{name} as checked"
    at = np.unravel_index(int(np.nanargmax(np.abs(move))), move.shape)
    where = f"[{', '.join(map(str, at))}]" if at else ""
    return f"{name}{where} moved by {float(move[at]):.2g}"


def _ints_made_float(raw: Any, targets: Iterable[str]) -> str:
    """A hint for an error the forward or backward raised: the integer leaves init()
    gives that are not TARGETS, which are checked, as float64 (an index array made float
    stops a fancy index: 'arrays used as indices must be of integer type')."""
    if not isinstance(raw, dict):
        return ""
    made = [str(n) for n, v in raw.items() if n not in targets and np.asarray(v).dtype.kind in "iu"]
    if not made:
        return ""
    names = ", ".join(made)
    return (
        f" (init() gives {names} as integers; leaves not in TARGETS are checked, as "
        f"float64: list {names} in TARGETS if {'it is' if len(made) == 1 else 'they are'} data)"
    )


def _taps_real(tap: _Tap, path: str) -> None:
    """Stop with one line where a tap holds complex values at real leaves (an FFT's): an
    adjoint is real (∂L/∂z of a complex z has no one meaning here), and its numerical
    derivative would move the real part alone. Its real and imaginary parts, tapped
    apart, are checked."""
    for name, value in tap.values.items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "c":
            raise ModelError(
                f"{path}: tap '{name}' is {value.dtype}; only real intermediates are "
                f"checked: tap {name}.real and {name}.imag as two real values the forward "
                f"goes on from, or leave {name} untapped"
            )


def _same_loss(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a == b or (np.isnan(a) and np.isnan(b)))


def _stateless(once: Callable, values: dict, first: np.ndarray, path: str) -> None:
    """Stop with one line where forward() keeps state between calls (a running mean
    updated at each): L at the same leaves differs after a call at others (each float
    leaf times 1 + 2⁻²⁰). Every numerical derivative would compare the loss of a
    function that the calls before it changed; a repeat at the same leaves alone does
    not show a running mean of them."""
    moved = {
        n: v * (1 + 2.0**-20) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
        for n, v in values.items()
    }
    try:
        once(moved)
    except ModelError:  # (the moved leaves left its domain: no evidence either way)
        return
    again, _ = once()
    if not _same_loss(first, again):
        raise ModelError(
            f"{path}: forward() keeps state between calls: L = {float(first):.17g}, then "
            f"{float(again):.17g} at the same leaves after a call at others; compute "
            "everything from p (a running statistic is data: pass it in init)"
        )


def _taps_used(
    forward: Callable, values: dict, tap: _Tap, adjoints: dict, loss: np.ndarray, path: str
) -> None:
    """Stop with one line where a tap's value does not reach the loss (L the same bit for
    bit with NaN in its place: any arithmetic on it carries NaN to L, where a move of
    1 + |z| is lost in a saturated softmax's L = 0) while backward() gives it an adjoint
    that is not 0: forward() used what it passed to tap(), not what tap() returned
    (z = W @ x; tap("z", z); h = tanh(z)), and every numerical derivative of z is 0.
    Nothing where L is not finite: that is told on its own (a NaN drawn by init)."""
    if not np.all(np.isfinite(loss)):
        return
    for name, value in tap.values.items():
        given = adjoints.get(name)
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f" or value.size == 0:
            continue
        if not isinstance(given, np.ndarray) or not np.any(given != 0):
            continue
        moved = _Tap(path, name, np.full_like(value, np.nan))
        try:
            with np.errstate(all="ignore"):
                at = _real(_run(forward, leaf_copies(values), moved, path), path)
        except ModelError:
            continue
        if _same_loss(at, loss):
            raise ModelError(
                f"{path}: L does not change when the tapped '{name}' does, yet backward() "
                f"gives it an adjoint: use what tap() returns ({name} = tap('{name}', …)), "
                "or give 0 for a tap the loss does not use"
            )


def _leaves_fit(values: dict, path: str, max_memory: int | None) -> None:
    """Refuse, before the forward runs, leaves that alone would need more than the budget:
    each entry held as the verdict holds it (memory.beyond_budget)."""
    from gradcheck_cli.models.memory import beyond_budget

    entries = sum(int(np.size(v)) for v in values.values())
    beyond = beyond_budget(entries, max_memory)
    if beyond:
        raise ModelError(f"{path}: init() returned {entries:,} entries; {beyond}")


def _dims(value: Any) -> str:
    shape = np.shape(value)
    return "×".join(map(str, shape)) if shape else "1×1"


def _leaf_values(raw: Any, path: str, targets: set) -> dict[str, np.ndarray]:
    """The leaves as float64 arrays; a target of whole numbers (an index array for an
    embedding lookup) keeps its integer dtype."""
    if not isinstance(raw, dict) or not raw:
        raise ModelError(
            f"{path}: init(rng) must return a dict of leaves {{name: array}}, "
            f"got {type(raw).__name__}"
        )
    out = {}
    for name, value in raw.items():
        arr = np.asarray(value)
        if not isinstance(name, str) or not name.isidentifier():
            raise ModelError(
                f"{path}: init() returned a leaf named {name!r}; names must be identifiers"
            )
        if arr.dtype.kind not in "iuf":
            raise ModelError(
                f"{path}: init()['{name}'] has dtype {arr.dtype}; leaves must be real numbers"
            )
        keep = name in targets and (arr.dtype.kind in "iu" or arr.dtype.itemsize < 8)
        out[name] = arr if keep else arr.astype(np.float64)
    return out


def _run(forward: Callable, p: Values, tap: _Tap, path: str) -> np.ndarray:
    loss = call_user(path, "forward", forward, dict(p), tap)
    arr = np.asarray(loss)
    if arr.size != 1 or arr.dtype.kind not in "iufc":
        raise ModelError(
            f"{path}: forward() must return the scalar loss, got "
            f"{type(loss).__name__} of shape {'×'.join(map(str, arr.shape)) or '()'}"
        )
    return arr.reshape(())


def _real(loss: np.ndarray, path: str) -> np.ndarray:
    """The loss at real leaves must be real: a complex dtype with no imaginary part (an
    FFT's) is taken as its real part; an imaginary part is the user's error."""
    if not np.iscomplexobj(loss):
        return loss
    if loss.imag != 0:
        raise ModelError(
            f"{path}: forward() returned a complex loss {complex(loss)} for real "
            "leaves; the loss must be real (take .real, or abs())"
        )
    return loss.real


def _adjoints(raw: Any, path: str, names: list[str], targets: set) -> dict[str, np.ndarray]:
    if not isinstance(raw, dict):
        raise ModelError(
            f"{path}: backward(v) must return a dict {{name: adjoint}}, got {type(raw).__name__}"
        )
    out = {}
    for name, value in raw.items():
        if name not in names:
            why = (
                "a target (TARGETS)"
                if name in targets
                else "neither a leaf nor a tapped intermediate"
            )
            raise ModelError(
                f"{path}: backward() returned an adjoint for '{name}', which is {why}"
                f"{nearest(str(name), names)}; adjoints: {', '.join(names)}"
            )
        if isinstance(value, np.generic):  # np.sum(...) of a 0-d leaf: a numpy scalar
            value = np.asarray(value)
        if not isinstance(value, np.ndarray):
            raise ModelError(
                f"{path}: backward()['{name}'] is a {type(value).__name__}, not a numpy "
                "array (wrap it: np.array(...), shaped like the variable)"
            )
        if value.dtype.kind == "c":
            raise ModelError(
                f"{path}: backward()['{name}'] is complex ({value.dtype}); adjoints are real"
            )
        if value.dtype.kind not in "iuf":
            raise ModelError(
                f"{path}: backward()['{name}'] has dtype {value.dtype}; expected a float array"
            )
        # extended precision is kept: it measures the adjoints' own rounding (verdict.py)
        out[name] = value if value.dtype == np.longdouble else value.astype(np.float64)
    return out
