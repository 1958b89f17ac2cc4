"""Red-team corpus runner: benchmarks/wild/*.py against an independent autodiff, then gradcheck.

Every file in benchmarks/wild/ is a model file (init / forward / backward) that states
what is wrong with it: EXPECT = [] (every row is right) or EXPECT = ["W", ...] (exactly
these rows differ from the true gradient). TRUTH says what the truth is at a point where
the loss is not differentiable.

1. Truth. The file's forward is run again through HIPS autograd (its module's `np` swapped
   for autograd.numpy; each tap adds a zero "delta" input, so the adjoint of a tapped
   intermediate is the gradient with respect to that delta). Every row of the file's
   backward is compared with it: a correct row must match to TRUTH_RTOL (1e-10 of the
   row's largest entry, or the file's own TRUTH_RTOL / TRUTH_ATOL), and the rows that
   differ must be exactly EXPECT. A file with truth_points(p) has a set-valued truth (a
   kink, a tie): a row is right where each entry lies within the entrywise hull of the
   autodiff gradients at those nearby points. A file whose forward autograd cannot
   differentiate (np.cumprod, np.interp, writes into an array, np.linalg.norm with
   keepdims) gives truth_forward(p, tap): the same function written for autograd, used
   for the truth only; its loss must equal forward's at every point the truth is taken.
2. gradcheck. `gradcheck check FILE --format json` under --method auto, richardson and
   central, and under --budget 1e-6 (the directional fallback, auto engine). Per engine:
   false PASS (a declared-wrong row PASS / KINK / NOT CHECKED, or a buggy file exiting 0),
   false FAIL (a correct row FAIL), WEAK rows, NOT CHECKED correct rows, crashes (exit 2
   or a traceback).
3. Peers on the same backward: torch.autograd.gradcheck (leaves only, one leaf at a time,
   defaults eps 1e-6, atol 1e-5, rtol 1e-3) and the CS231n rule (central differences,
   h = 1e-5, max |A − N| / max(1e-8, |A| + |N|) < 1e-7, leaves and taps).

    python benchmarks/wild.py                       # everything (≈ 10 min on 2 cores)
    python benchmarks/wild.py -k lstm -k gru        # files whose name contains lstm or gru
    python benchmarks/wild.py --truth-only          # step 1 only
    python benchmarks/wild.py --json out.json       # every verdict, for later reading

Runs one file at a time (the machine is shared). Needs autograd (pip install autograd) and,
for the torch column, torch.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WILD = HERE / "wild"
ENGINES = {
    "auto": ["--method", "auto"],
    "richardson": ["--method", "richardson"],
    "central": ["--method", "central"],
    "budget": ["--budget", "1e-6"],
}
PEERS = ("torch", "cs231n")
BAD_PASS = {"PASS", "KINK", "NOT CHECKED"}


# ---------------------------------------------------------------- loading


def load(path: Path):
    name = f"wild_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def leaves_of(mod, seed=0):
    return mod.init(np.random.default_rng(seed))


def record(mod, p):
    """Forward in numpy; the values of every leaf and tap, the taps' order, the loss."""
    vals, order = dict(p), []

    def tap(name, value):
        vals[name] = value
        order.append(name)
        return value

    loss = mod.forward(dict(p), tap)
    return vals, order, loss


def checked_leaves(mod, p):
    targets = set(getattr(mod, "TARGETS", []))
    return [k for k in p if k not in targets]


# ---------------------------------------------------------------- truth (autograd)


def autodiff(mod, p, names, taps):
    """The gradient of L with respect to the leaves `names` and the taps, by HIPS autograd."""
    import autograd
    import autograd.numpy as anp

    base = np.asarray
    shapes = {}
    vals, _, _ = record(mod, p)
    for t in taps:
        shapes[t] = np.shape(vals[t])

    def loss(args):
        leaves, deltas = args
        q = dict(p)
        q.update(dict(zip(names, leaves, strict=True)))
        d = dict(zip(taps, deltas, strict=True))

        def tap(name, value):
            return value + d[name] if name in d else value

        return fwd(q, tap)

    fwd = getattr(mod, "truth_forward", mod.forward)
    old = mod.np
    mod.np = anp
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = autograd.grad(loss)(
                ([base(p[k], dtype=float) for k in names], [np.zeros(shapes[t]) for t in taps])
            )
    finally:
        mod.np = old
    out = dict(zip(names, g[0], strict=True))
    out.update(zip(taps, g[1], strict=True))
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


def truth_verdicts(mod, path):
    """Per row: ('right' | 'wrong', error measure, note)."""
    p = leaves_of(mod)
    vals, taps, loss = record(mod, p)
    names = checked_leaves(mod, p)
    A = mod.backward(dict(vals))
    rows = list(dict.fromkeys(taps + names))
    rtol = getattr(mod, "TRUTH_RTOL", 1e-10)
    atol = getattr(mod, "TRUTH_ATOL", {})
    pts = mod.truth_points(p) if hasattr(mod, "truth_points") else [p]
    if hasattr(mod, "truth_forward"):
        for q in pts:
            a, b = record(mod, q)[2], mod.truth_forward(dict(q), lambda _, v: v)
            if not np.isclose(a, b, rtol=1e-12, atol=0.0):
                raise ValueError(f"{path.name}: truth_forward gives {b!r}, forward {a!r}")
    truths = [autodiff(mod, q, names, taps) for q in pts]
    out = {}
    for r in rows:
        if r not in A:
            out[r] = ("missing", None, "no adjoint in backward", None)
            continue
        a = np.asarray(A[r], dtype=float)
        ts = [t[r] for t in truths]
        if a.shape != ts[0].shape:
            out[r] = ("wrong", float("inf"), f"shape {a.shape} vs {ts[0].shape}", float("inf"))
            continue
        lo = np.min(ts, axis=0)
        hi = np.max(ts, axis=0)
        scale = max(float(np.max(np.abs(ts))) if ts[0].size else 0.0, 1e-300)
        tol = rtol * scale + (atol.get(r, 0.0) if isinstance(atol, dict) else atol)
        if not np.all(np.isfinite(a)):
            out[r] = ("wrong", float("inf"), "non-finite", float("inf"))
            continue
        dev = np.maximum(lo - a, a - hi)
        err = float(np.max(dev)) if a.size else 0.0
        with np.errstate(all="ignore"):
            ent = np.maximum(dev, 0) / np.maximum(np.abs(lo), np.abs(hi))
        ent_rel = float(np.nanmax(np.where(dev > tol, ent, 0))) if a.size else 0.0
        out[r] = ("wrong" if err > tol else "right", err / scale, f"tol {tol:.1e}", ent_rel)
    return out, loss


def check_truth(path, mod):
    verdicts, loss = truth_verdicts(mod, path)
    expect = set(mod.EXPECT)
    wrong = {r for r, v in verdicts.items() if v[0] != "right"}
    ok = wrong == expect
    margin = None
    if expect:
        margin = min(verdicts[r][1] for r in expect if r in verdicts)
    worst_right = max([v[1] for r, v in verdicts.items() if v[0] == "right"] or [0.0])
    return {
        "ok": ok,
        "wrong": sorted(wrong),
        "expect": sorted(expect),
        "loss": float(loss),
        "worst_right_rel": worst_right,
        "smallest_wrong_rel": margin,
        "rows": {r: list(v) for r, v in verdicts.items()},
    }


# ---------------------------------------------------------------- gradcheck


GRADCHECK = ["gradcheck"]


def run_gradcheck(path, engine):
    cmd = [*GRADCHECK, "check", str(path), "--format", "json", "--jobs", "1"] + ENGINES[engine]
    t0 = time.perf_counter()
    pr = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    dt = time.perf_counter() - t0
    res = {
        "exit": pr.returncode,
        "time": dt,
        "stderr": pr.stderr.strip()[-2000:],
        "rows": {},
        "notes": [],
    }
    if pr.returncode == 2 or "Traceback" in pr.stderr or not pr.stdout.strip():
        res["crash"] = True
        return res
    try:
        js = json.loads(pr.stdout)
    except json.JSONDecodeError:
        res["crash"] = True
        return res
    res["crash"] = False
    res["method"] = js["check"]["method"]
    res["notes"] = js.get("notes", [])
    for g in js["gradients"]:
        w = g.get("worst") or {}
        res["rows"][g["id"]] = {
            "status": g["status"],
            "resolution": g.get("resolution"),
            "reason": g.get("reason"),
            "eob": g.get("error_over_bound"),
            "worst": [w.get("index"), w.get("analytic"), w.get("numeric")],
            "diagnosis": (g.get("diagnosis") or {}).get("message"),
            "kinks": g.get("kinks"),
            "failed": g.get("failed"),
        }
    return res


# ---------------------------------------------------------------- peers


def cs231n(mod):
    """Central differences, h = 1e-5, on leaves and taps; rel error per row (CS231n rule)."""
    p = leaves_of(mod)
    vals, taps, _ = record(mod, p)
    A = mod.backward(dict(vals))
    names = checked_leaves(mod, p)
    out = {}

    def L(q, deltas):
        def tap(name, value):
            return value + deltas[name] if name in deltas else value

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                return float(mod.forward(q, tap))

    h = 1e-5
    for r in list(dict.fromkeys(taps + names)):
        if r not in A:
            continue
        a = np.asarray(A[r], dtype=float)
        base = np.asarray(vals[r], dtype=float)
        if a.shape != base.shape:
            out[r] = ("FAIL", float("inf"))
            continue
        num = np.zeros(base.shape)
        for idx in np.ndindex(*base.shape):
            lp, lm = [], []
            for s, acc in ((h, lp), (-h, lm)):
                if r in names:
                    q = dict(p)
                    x = base.copy()
                    x[idx] += s
                    q[r] = x
                    acc.append(L(q, {}))
                else:
                    d = np.zeros(base.shape)
                    d[idx] = s
                    acc.append(L(dict(p), {r: d}))
            num[idx] = (lp[0] - lm[0]) / (2 * h)
        with np.errstate(all="ignore"):
            rel = np.abs(a - num) / np.maximum(1e-8, np.abs(a) + np.abs(num))
        e = float(np.max(np.where(np.isnan(rel), np.inf, rel))) if rel.size else 0.0
        out[r] = ("PASS" if e < 1e-7 else "FAIL", e)
    return out


def _as_function(torch, mod, p, leaf):
    """L as a function of one leaf, as a torch.autograd.Function with the file's backward."""

    class F(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            q = dict(p)
            q[leaf] = x.detach().numpy().copy()
            vals, _, loss = record(mod, q)
            ctx.vals = vals
            return torch.tensor(float(loss), dtype=torch.float64)

        @staticmethod
        def backward(ctx, go):
            g = np.asarray(mod.backward(dict(ctx.vals))[leaf], dtype=float)
            if g.shape != np.shape(ctx.vals[leaf]):
                g = np.full(np.shape(ctx.vals[leaf]), np.nan)
            return go * torch.from_numpy(g.copy())

    return F


def torch_check(mod):
    """torch.autograd.gradcheck on each checked leaf, the file's backward as the analytic side."""
    import torch

    p = leaves_of(mod)
    names = checked_leaves(mod, p)
    out = {}
    for leaf in names:
        F = _as_function(torch, mod, p, leaf)
        x = torch.tensor(np.asarray(p[leaf], dtype=float), dtype=torch.float64, requires_grad=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with np.errstate(all="ignore"):
                    ok = torch.autograd.gradcheck(F.apply, (x,), raise_exception=False)
            out[leaf] = "PASS" if ok else "FAIL"
        except Exception as e:  # noqa: BLE001 - a peer's crash is a result
            out[leaf] = "CRASH: " + type(e).__name__
    return out


# ---------------------------------------------------------------- counting


def tally(results):  # noqa: C901 - one pass over every verdict
    engines = list(ENGINES) + list(PEERS)
    keys = [
        "correct_files",
        "buggy_files",
        "caught_files",
        "false_pass_rows",
        "false_pass_beyond_resolution",
        "false_pass_files",
        "false_fail_rows",
        "false_fail_files",
        "weak_rows",
        "weak_on_wrong",
        "not_checked_correct",
        "crash",
    ]
    counts = {e: dict.fromkeys(keys, 0) for e in engines}
    events = []
    for f in results:
        expect = set(f["expect"])
        for e in engines:
            r = f["engines"].get(e)
            if r is None:
                continue
            c = counts[e]
            c["buggy_files" if expect else "correct_files"] += 1
            if e in PEERS:
                rows = {k: {"status": v if isinstance(v, str) else v[0]} for k, v in r.items()}
                if any(str(v).startswith("CRASH") for v in r.values()):
                    c["crash"] += 1
                exit_ok = all(v["status"] == "PASS" for v in rows.values())
            else:
                if r.get("crash"):
                    c["crash"] += 1
                    detail = r["stderr"].splitlines()[-1:] if r["stderr"] else []
                    events.append(
                        {"kind": "crash", "file": f["file"], "engine": e, "detail": detail}
                    )
                    continue
                rows = r["rows"]
                exit_ok = r["exit"] == 0
            fp = ff = False
            for row, v in rows.items():
                st = v["status"]
                if row in expect and st in BAD_PASS:
                    c["false_pass_rows"] += 1
                    fp = True
                    true_rel = f["truth"]["rows"].get(row, [None] * 4)[3]
                    res = v.get("resolution")
                    beyond = (
                        e not in PEERS and true_rel is not None and (res is None or true_rel > res)
                    )
                    c["false_pass_beyond_resolution"] += beyond
                    events.append(
                        {
                            "kind": "false PASS",
                            "file": f["file"],
                            "engine": e,
                            "row": row,
                            "true_rel_err": true_rel,
                            "beyond_stated_resolution": beyond,
                            **v,
                        }
                    )
                elif row not in expect and st == "FAIL":
                    c["false_fail_rows"] += 1
                    ff = True
                    events.append(
                        {"kind": "false FAIL", "file": f["file"], "engine": e, "row": row, **v}
                    )
                if st == "WEAK":
                    c["weak_rows"] += 1
                    c["weak_on_wrong"] += row in expect
                    events.append(
                        {
                            "kind": "WEAK" + (" (wrong row)" if row in expect else ""),
                            "file": f["file"],
                            "engine": e,
                            "row": row,
                            "declared_wrong": row in expect,
                            **v,
                        }
                    )
                if st == "NOT CHECKED" and row not in expect:
                    c["not_checked_correct"] += 1
                    events.append(
                        {"kind": "NOT CHECKED", "file": f["file"], "engine": e, "row": row, **v}
                    )
            if expect:
                if exit_ok:
                    fp = True
                    events.append({"kind": "buggy file exit 0", "file": f["file"], "engine": e})
                else:
                    c["caught_files"] += 1
            c["false_pass_files"] += bool(expect) and fp
            c["false_fail_files"] += ff
    return counts, events, keys


def fmt(x):
    return "—" if x is None else (f"{x:.3g}" if isinstance(x, float) else str(x))


def main(argv=None):  # noqa: C901 - the run, printed as it goes
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", action="append", default=[], help="only files whose name contains K")
    ap.add_argument("--truth-only", action="store_true")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--json", help="write every result to this file")
    ap.add_argument(
        "--cmd",
        help="how to run gradcheck (default: gradcheck), e.g. 'python -m gradcheck_cli'"
        " with PYTHONPATH set to a snapshot's src",
    )
    a = ap.parse_args(argv)
    if a.cmd:
        GRADCHECK[:] = a.cmd.split()
    files = sorted(WILD.glob("*.py"))
    if a.k:
        files = [f for f in files if any(k in f.stem for k in a.k)]
    engines = [e for e in a.engines.split(",") if e]
    results, bad_truth = [], []
    for path in files:
        mod = load(path)
        t = check_truth(path, mod)
        line = (
            f"{path.stem:34s} truth {'ok ' if t['ok'] else 'BAD'} L={t['loss']:.4g} "
            f"right≤{t['worst_right_rel']:.1e}"
        )
        if t["expect"]:
            line += f" wrong≥{fmt(t['smallest_wrong_rel'])}"
        if not t["ok"]:
            line += f"  differ {t['wrong']} declared {t['expect']}"
            bad_truth.append(path.stem)
        print(line, flush=True)
        res = {"file": path.stem, "expect": t["expect"], "truth": t, "engines": {}}
        if not a.truth_only:
            for e in engines:
                r = run_gradcheck(path, e)
                res["engines"][e] = r
                st = (
                    "CRASH"
                    if r.get("crash")
                    else " ".join(
                        f"{k}:{v['status']}"
                        for k, v in r["rows"].items()
                        if v["status"] != "PASS" or k in t["expect"]
                    )
                )
                notes = "; ".join(n[:70] for n in r.get("notes", []))
                print(
                    f"    {e:10s} exit {r['exit']} {r.get('method', '')} {r['time']:.1f}s  {st}"
                    + (f"   [{notes}]" if notes else ""),
                    flush=True,
                )
            if not a.no_peers:
                res["engines"]["cs231n"] = cs231n(mod)
                try:
                    res["engines"]["torch"] = torch_check(mod)
                except ImportError:
                    pass
                for e in PEERS:
                    if e in res["engines"]:
                        r = res["engines"][e]
                        print(
                            f"    {e:10s} "
                            + " ".join(
                                f"{k}:{v if isinstance(v, str) else v[0]}" for k, v in r.items()
                            ),
                            flush=True,
                        )
        results.append(res)
    if bad_truth:
        print("\nTRUTH MISMATCH (the corpus is wrong here):", ", ".join(bad_truth))
    if a.truth_only:
        return 1 if bad_truth else 0
    counts, events, cols = tally(results)
    print("\n| engine | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for e, c in counts.items():
        if c["correct_files"] + c["buggy_files"]:
            print(f"| {e} | " + " | ".join(str(c[k]) for k in cols) + " |")
    print()
    for ev in events:
        if ev["engine"] in PEERS:
            continue
        w = ev.get("worst") or [None, None, None]
        print(
            f"{ev['kind']:18s} {ev['file']:30s} {ev['engine']:10s} {ev.get('row', '')!s:6s} "
            f"{ev.get('status', '')!s:11s} res={fmt(ev.get('resolution'))} "
            f"e/b={fmt(ev.get('eob'))} at={w[0]} A={fmt(w[1])} N={fmt(w[2])} "
            f"{ev.get('reason') or ''} {ev.get('detail') or ''}"
            + (
                f" | true rel err {ev['true_rel_err']:.2g}"
                + (" BEYOND the stated resolution" if ev["beyond_stated_resolution"] else "")
                if ev.get("true_rel_err") is not None
                else ""
            )
        )
    if a.json:
        Path(a.json).write_text(
            json.dumps(
                {"results": results, "counts": counts, "events": events}, indent=1, default=str
            )
        )
    return 1 if bad_truth else 0


if __name__ == "__main__":
    sys.exit(main())
