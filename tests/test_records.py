"""records.frozen against dataclass(frozen=True): the same fields, init, repr, ==, hash,
errors; pickle, copy, replace and asdict as a dataclass's."""

import copy
import pickle
from dataclasses import FrozenInstanceError, asdict, dataclass, field, fields, replace

import numpy as np
import pytest

from gradcheck_cli.records import frozen


def _pair(eq: bool = True):
    """The same class twice: made by frozen, and by dataclass(frozen=True)."""

    def body():
        class Point:
            """A point."""

            x: float
            y: float = 0.0
            tags: list = field(default_factory=list, compare=False)
            hidden: str = field(default="h", repr=False)
            weight: int = field(default=1, hash=False)

            def norm(self) -> float:
                return abs(self.x) + abs(self.y)

        return Point

    return frozen(eq=eq)(body()), dataclass(frozen=True, eq=eq)(body())


@pytest.mark.parametrize("eq", [True, False])
def test_frozen_is_a_frozen_dataclass(eq):
    ours, theirs = _pair(eq)
    assert [f.name for f in fields(ours)] == [f.name for f in fields(theirs)]
    a, b = ours(1.5, tags=[1]), theirs(1.5, tags=[1])
    assert repr(a) == repr(b)
    assert repr(a).endswith("Point(x=1.5, y=0.0, tags=[1], weight=1)")
    assert asdict(a) == asdict(b)
    assert a.norm() == 1.5
    for obj in (a, b):
        with pytest.raises(FrozenInstanceError):
            obj.x = 2.0
        with pytest.raises(FrozenInstanceError):
            obj.new = 2.0
        with pytest.raises(FrozenInstanceError):
            del obj.x
    for make in (ours, theirs):
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
            make()
        with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
            make(1.0, z=2)


def test_equal_and_hash_as_a_dataclass():
    ours, theirs = _pair()
    for make in (ours, theirs):
        a = make(1.0, 2.0, tags=[1])
        assert a == make(1.0, 2.0, tags=[2])  # tags: compare=False
        assert a != make(1.0, 2.0, weight=5) and hash(a) == hash(make(1.0, 2.0, weight=5))
        assert a != make(1.0, 3.0) and a != (1.0, 2.0)
    assert ours(1.0) != theirs(1.0)  # another class


def test_eq_false_is_identity():
    ours, _ = _pair(eq=False)
    a = ours(np.ones(3))
    assert a == a and a != ours(a.x)
    assert hash(a) == object.__hash__(a)


@frozen
class Pickled:
    x: float
    y: float = 0.0
    tags: list = field(default_factory=list)


def test_replace_pickle_copy():
    a = Pickled(1.0, tags=[1])
    b = replace(a, y=3.0)
    assert (b.x, b.y, b.tags) == (1.0, 3.0, [1]) and a.y == 0.0
    for c in (pickle.loads(pickle.dumps(a)), copy.copy(a), copy.deepcopy(a)):
        assert c == a and c.tags == [1]
        with pytest.raises(FrozenInstanceError):
            c.x = 0.0


def test_a_class_that_defines_what_frozen_supplies_is_refused():
    class Own:
        x: int

        def __repr__(self) -> str:
            return "own"

    with pytest.raises(TypeError, match="Own defines __repr__"):
        frozen(Own)
