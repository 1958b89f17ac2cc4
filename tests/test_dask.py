"""executor= with a Dask cluster's executor (the optional extra: pip install -e ".[dask]")."""

import numpy as np
import pytest

from gradcheck_cli import check
from gradcheck_cli.engine import numeric, workers

distributed = pytest.importorskip("distributed")


def test_a_dask_cluster_evaluates_the_copies(pytestconfig, tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_MIN_SECONDS", 0.0)
    sent: list[int] = []
    original = numeric._in_workers

    def counted(*args):
        sent.append(len(args[7]))
        return original(*args)

    monkeypatch.setattr(numeric, "_in_workers", counted)
    text = (pytestconfig.rootpath / "examples" / "mlp.py").read_text()
    path = tmp_path / "mlp40.py"
    path.write_text(text.replace("D, H, C, B = 4, 6, 3, 5", "D, H, C, B = 40, 32, 5, 8"))
    here = check(str(path), jobs=1, budget=float("inf"))
    with distributed.Client(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as client:
        there = check(str(path), executor=client.get_executor(), budget=float("inf"))
    assert sent and there.status == here.status == "PASS"
    for key, value in here.arrays.items():
        assert np.array_equal(value, there.arrays[key], equal_nan=True), key
