"""What gradcheck says a check will cost: the formulas, the caps, the refusals (no timing:
benchmarks/estimates.py measures the estimates against whole processes)."""

from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from gradcheck_cli.cli import app
from gradcheck_cli.engine import checking, estimate, workers
from gradcheck_cli.engine.checking import Settings
from gradcheck_cli.errors import UsageError
from gradcheck_cli.models import BUILDERS, memory
from gradcheck_cli.options import size

runner = CliRunner()


# --------------------------------------------------------------------------- --jobs


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(workers, "cores", lambda: 2)


def test_jobs_up_to_the_cores_are_taken_as_given(two_cores):
    notes: list[str] = []
    assert [workers.capped(j, notes) for j in (0, 1, 2)] == [2, 1, 2]
    assert notes == []


def test_jobs_above_the_cores_are_capped_with_a_note(two_cores):
    notes: list[str] = []
    assert workers.capped(100_000, notes) == workers.JOBS_PER_CORE * 2
    (note,) = notes
    assert (
        "--jobs 100,000 is more than the 2 cores" in note and "at most 4 worker processes" in note
    )
    assert workers.capped(3, []) == 3  # within the cap: as asked


def test_a_pool_of_100000_jobs_starts_at_most_the_cap(two_cores):
    pool = workers.Pool(100_000)
    assert pool.size == 4 and pool.notes


def test_a_tensor_on_the_fast_path_stays_in_this_process():
    model = BUILDERS["residual"](d=4)
    model.recipe = ("anything",)
    pool = workers.Pool(2)
    assert model.sparse_for("W1")
    assert not pool.usable(model, "W1")
    assert pool.usable(model)  # (the model itself could be rebuilt)


# --------------------------------------------------------------------------- memory


def test_a_memory_limit_above_the_ram_is_refused(monkeypatch):
    monkeypatch.setattr(size, "physical_memory", lambda: 24 * 2**30)
    with pytest.raises(UsageError, match=r"--max-memory 1T is more than this machine's RAM"):
        size.parse_size("1T")
    assert size.parse_size("20G") == 20 * 2**30
    assert size.parse_size(None) == 12 * 2**30  # half the RAM


def test_the_command_line_refuses_it_in_one_line(monkeypatch):
    monkeypatch.setattr(size, "physical_memory", lambda: 24 * 2**30)
    r = runner.invoke(app, ["residual", "--max-memory", "1T"])
    assert r.exit_code == 2
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("gradcheck: error: --max-memory 1T is more than")


def test_a_check_too_big_for_the_limit_is_refused_before_anything_is_drawn(monkeypatch):
    drawn = []
    monkeypatch.setattr(np.random, "default_rng", lambda *a: drawn.append(a))
    r = runner.invoke(app, ["residual", "--d", "14000", "--max-memory", "8G"])
    assert r.exit_code == 2 and "needs about" in r.stderr and not drawn


def test_a_check_that_fits_only_by_directions_is_made_by_directions():
    """--max-memory between the fallback's estimate and every entry's: the default check
    falls back (a note says why, and what limit checks every entry); --budget inf,
    which checks every entry, is refused; below the fallback's, refused before anything
    runs, and the line says so."""
    m = BUILDERS["residual"](d=400)
    every, fallback = checking.estimate_bytes(m), checking.estimate_bytes(m, fallback=True)
    assert fallback < every
    between = f"{(every + fallback) // 2 // 2**20}M"
    r = runner.invoke(app, ["residual", "--d", "400", "--max-memory", between])
    assert r.exit_code == 0, r.output
    assert "every entry would need about" in r.stdout and "directional" in r.stdout
    assert f"--max-memory {-(-every // 2**20)}M checks every entry" in " ".join(r.stdout.split())
    r = runner.invoke(app, ["residual", "--d", "400", "--max-memory", between, "--budget", "inf"])
    assert r.exit_code == 2 and "needs about" in r.stderr and "even" not in r.stderr
    below = f"{fallback // 2**20 - 1}M"
    r = runner.invoke(app, ["residual", "--d", "400", "--max-memory", below])
    assert r.exit_code == 2 and "even by directional derivatives" in r.stderr


def test_the_memory_estimate_holds_every_checked_entry_as_the_verdict_does():
    small, large = (BUILDERS["residual"](d=d) for d in (100, 200))
    checked = [sum(m.entries(n) for n in m.checked()) for m in (small, large)]
    for m, n in zip((small, large), checked, strict=True):
        assert checking.estimate_bytes(m) >= 8 * memory.HELD_PER_ENTRY * n
    growth = checking.estimate_bytes(large) - checking.estimate_bytes(small)
    held = 8 * memory.HELD_PER_ENTRY * (checked[1] - checked[0])
    assert held <= growth <= 1.5 * held


def test_workers_are_counted_only_where_they_would_start():
    residual = BUILDERS["residual"](d=8)
    residual.recipe = ("anything",)
    assert estimate.worker_bytes(residual, workers.Pool(2)) == 0  # the fast path: here
    assert estimate.worker_bytes(residual, None) == 0


# --------------------------------------------------------------------------- seconds


def test_the_estimate_counts_the_verdicts_passes_and_arrays_beside_the_reference():
    cost = estimate.Cost(
        numeric=2.0, passes=0.5, arrays=1.0, fallback_arrays=0.25, entries=10, each={}
    )
    assert cost.every_entry == 3.5
    assert cost.fallback(0.0) == 0.75  # the fallback reads every entry too
    # each sampled entry's reference SAMPLE_CALLS times (forward_rounding's two), and its own
    assert cost.fallback(0.5) == 0.75 + 0.5 * (
        estimate.SAMPLE_CALLS * 2.0 + estimate.SAMPLE_EACH * 10
    )
    # the first touch of each path's peak memory, its own
    touched = replace(cost, fresh=4.0, fallback_fresh=0.125)
    assert touched.every_entry == 7.5 and touched.fallback(0.0) == 0.875


def test_a_first_touch_is_timed_on_memory_never_touched():
    """The probe maps pages of its own and times one write each: seconds a byte, finite
    and above 0 (a page fault is no faster than a write of every byte: 1e-12 s a byte)."""
    each = estimate._fresh_byte()
    assert 1e-13 < each < 1e-6


def test_a_large_check_counts_its_peak_memorys_first_touch(monkeypatch):
    """Where the largest tensor is larger than the probe, each path's estimate counts
    held_bytes (less the interpreter's) at the probe's seconds a byte; a small one none."""
    monkeypatch.setattr(estimate, "_fresh_byte", lambda: 1e-9)
    monkeypatch.setattr(estimate, "FRESH_PROBE", 8 * 100)
    model = BUILDERS["residual"](d=16)
    cost = estimate.seconds(model, model.forward(), "complex")
    held = estimate.held_bytes(model) - estimate.BASE_BYTES
    assert cost.fresh == pytest.approx(1e-9 * held)
    held = estimate.held_bytes(model, fallback=True) - estimate.BASE_BYTES
    assert cost.fallback_fresh == pytest.approx(1e-9 * held)
    monkeypatch.setattr(estimate, "FRESH_PROBE", 8 * 256)  # W1: 16 × 16 entries
    cost = estimate.seconds(model, model.forward(), "complex")
    assert cost.fresh == 0.0 and cost.fallback_fresh == 0.0


def test_every_checked_tensor_and_jacobian_is_probed():
    model = BUILDERS["softmax"](n=3, d=4)
    env = model.forward()
    cost = estimate.seconds(model, env, "complex")
    assert set(cost.each) == set(model.checked()) | {j.id for j in model.jacobians}
    assert cost.numeric > 0 and cost.passes > 0 and cost.arrays > 0


def test_the_probe_tells_a_calls_own_cost_from_each_entrys(monkeypatch):
    """A call costing 50 ms plus 1 ms an entry: not 51 ms an entry (the 400× misjudgment
    of probing a handful of entries and dividing)."""
    sizes: list[int] = []
    monkeypatch.setattr(
        estimate, "differentiate", lambda *a, indices, **k: sizes.append(indices.size)
    )

    def timed(fn):
        fn()
        return 0.05 + 1e-3 * sizes[-1]

    monkeypatch.setattr(estimate, "_timed", timed)
    model = BUILDERS["residual"](d=64)
    call, each = estimate._per_entry(model, model.forward(), "W1", None, "complex")
    assert each == pytest.approx(1e-3) and call == pytest.approx(0.05)
    assert max(sizes) == 64  # (the first ×4 to add PROBE_SECONDS)


@pytest.mark.parametrize("spike", [0, 1])  # the probe that decides, or the one before it
def test_one_slow_probe_does_not_decide_each_entrys_cost(monkeypatch, spike):
    """A call of 50 ms plus 1 µs an entry, one of whose timings takes a second more (a
    cold call, the kernel zeroing pages for another process): the two probes that decide
    are timed again, and the faster counts."""
    sizes: list[int] = []
    monkeypatch.setattr(
        estimate, "differentiate", lambda *a, indices, **k: sizes.append(indices.size)
    )

    slow = [4**8, 4**7][spike]  # (of W1's 2²⁰ entries, probes of 4⁸ and 4⁷ decide)

    def timed(fn):
        fn()
        late = sizes.count(sizes[-1]) == 1 and sizes[-1] == slow  # (its first timing)
        return 0.05 + 1e-6 * sizes[-1] + (1.0 if late else 0.0)

    monkeypatch.setattr(estimate, "_timed", timed)
    model = BUILDERS["residual"](d=1024)
    call, each = estimate._per_entry(model, model.forward(), "W1", None, "complex")
    assert each == pytest.approx(1e-6) and call == pytest.approx(0.05)


def test_a_small_model_is_not_probed_tensor_by_tensor(monkeypatch):
    model = BUILDERS["residual"](d=8)
    env = model.forward()
    assert estimate.clearly_within(model, env, "complex", 10.0)
    assert not estimate.clearly_within(model, env, "complex", 1e-9)
    monkeypatch.setattr(estimate, "seconds", lambda *a: pytest.fail("probed"))
    checking._within_budget(model, env, "complex", Settings(), [])


def _budgeted(monkeypatch, cost, budget=10.0):
    monkeypatch.setattr(estimate, "seconds", lambda *a: cost)
    monkeypatch.setattr(estimate, "clearly_within", lambda *a: False)
    model = BUILDERS["residual"](d=4)
    notes: list[str] = []
    settings = checking._within_budget(
        model, model.forward(), "complex", Settings.of(budget=budget), notes
    )
    return settings, notes


def _cost(numeric, arrays=0.0, fallback=0.0):
    return estimate.Cost(numeric, 0.0, arrays, fallback, entries=10**6, each={})


def test_within_the_budget_every_entry_is_checked(monkeypatch):
    settings, notes = _budgeted(monkeypatch, _cost(numeric=6.0))
    assert settings.check.directions is None and notes == []


def test_too_near_the_budget_the_fallback_runs(monkeypatch):
    """An estimate of 9 s against a budget of 10: within it, but not by the margin the
    estimate's own error (2x) needs; the note says how near."""
    settings, notes = _budgeted(monkeypatch, _cost(numeric=9.0, fallback=1.0))
    assert settings.check.directions == checking.BUDGET_DIRECTIONS
    assert "every entry would take about 9.0 s, too near the budget of 10 s" in notes[0]


def test_over_it_the_fallback_runs_and_says_how_long_it_takes(monkeypatch):
    settings, notes = _budgeted(monkeypatch, _cost(numeric=100.0, fallback=1.0))
    assert settings.check.directions == checking.BUDGET_DIRECTIONS
    # the sample fills BUDGET_SAMPLE of the budget
    sampled = estimate.SAMPLE_CALLS * 100.0 + estimate.SAMPLE_EACH * 10**6
    assert settings.runtime.fill == pytest.approx(checking.BUDGET_SAMPLE * 10 / sampled)
    (note,) = notes
    assert "every entry would take about 100 s" in note and "about 3.0 s" in note


def test_a_fallback_as_slow_as_every_entry_is_not_taken(monkeypatch):
    settings, notes = _budgeted(monkeypatch, _cost(numeric=3.0, arrays=10.0, fallback=12.0))
    assert settings.check.directions is None
    (note,) = notes
    assert "every entry takes about 13 s" in note and "every entry is checked" in note


def test_a_fallback_over_the_budget_still_samples_its_least(monkeypatch):
    settings, _ = _budgeted(monkeypatch, _cost(numeric=1e-3, fallback=1e-3), budget=1e-6)
    assert settings.check.directions == checking.BUDGET_DIRECTIONS and settings.runtime.fill > 0


def test_a_first_probe_that_takes_long_decides_each_entrys_cost(monkeypatch):
    """_per_entry: where its first probe (1/PROBE_START of the entries) takes PROBE_MOST
    seconds, that probe's time over its entries is each entry's cost, and no larger
    probe is timed (a forward of 5 ms over 2e5 entries spent 52 s a row growing it ×4
    and timing both again). The clock is the entries probed: one second each."""
    probed = []

    def differentiate(model, env, wrt, out, method, indices):
        probed.append(len(indices))

    monkeypatch.setattr(estimate, "differentiate", differentiate)
    monkeypatch.setattr(estimate, "_timed", lambda fn: fn() or float(probed[-1]))
    size = 2**18
    call, each = estimate._per_entry(None, {"z": np.zeros(size)}, "z", None, "richardson")
    assert probed == [size // estimate.PROBE_START] and (call, each) == (0.0, 1.0)
