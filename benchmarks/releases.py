"""Release-engine benchmark: install / upgrade / rollback of a 50-resource chart on the simulator,
and ``list`` over 1,000 releases × 10 revisions.

* operations: in-process actions against a simulator cluster file (the default backend) with
  the default ``secret`` driver, so each figure includes opening and committing the cluster for
  every session of the operation (lease + pending record, apply + wait, final status). The chart
  has 20 ConfigMaps, 10 Secrets, 10 Services and 10 Deployments (1 replica each); every
  operation runs with ``--wait``, so the time includes the simulated rollouts.
* list: ``helmlite list`` (latest revision of every release, sorted) over 10,000 records kept by
  the ``memory`` driver and by the ``sql`` driver (a SQLite file).

Prints a table of median milliseconds. Usage::

    python benchmarks/releases.py [--runs 5] [--releases 1000] [--revisions 10]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from helmlite.actions.action import Config
from helmlite.actions.install import Install
from helmlite.actions.list import ReleaseList
from helmlite.actions.rollback import Rollback
from helmlite.actions.uninstall import Uninstall
from helmlite.actions.upgrade import Upgrade
from helmlite.backends.simulator import SimulatorBackend
from helmlite.output import Output
from helmlite.release.model import Info, Release, Status, Timestamp
from helmlite.values.options import ValueOptions

CONFIGMAP = """\
{% for i in range(20) %}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-cm-{{ i }}
data:
  version: {{ Values.version | quote }}
{% endfor %}
"""
SECRET = """\
{% for i in range(10) %}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ Release.Name }}-secret-{{ i }}
stringData:
  token: {{ Values.version | quote }}
{% endfor %}
"""
SERVICE = """\
{% for i in range(10) %}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ Release.Name }}-svc-{{ i }}
spec:
  selector:
    app: web-{{ i }}
  ports:
    - port: 80
{% endfor %}
"""
DEPLOYMENT = """\
{% for i in range(10) %}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ Release.Name }}-web-{{ i }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web-{{ i }}
  template:
    metadata:
      labels:
        app: web-{{ i }}
        version: {{ Values.version | quote }}
    spec:
      containers:
        - name: web
          image: nginx:1.25
{% endfor %}
"""


def write_chart(root: Path) -> Path:
    """The 50-resource native chart."""
    chart = root / "fifty"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: fifty\nversion: 1.0.0\nannotations:\n  helmlite.io/template-engine: jinja2\n"
    )
    (chart / "values.yaml").write_text("version: v1\n")
    for name, text in (("cm.yaml", CONFIGMAP), ("secret.yaml", SECRET), ("svc.yaml", SERVICE),
                       ("deploy.yaml", DEPLOYMENT)):
        (chart / "templates" / name).write_text(text)
    return chart


def timed(call: Callable[..., object], *args: object) -> float:
    """Milliseconds ``call(*args)`` takes."""
    started = time.perf_counter()
    call(*args)
    return (time.perf_counter() - started) * 1000


def bench_operations(runs: int, root: Path) -> dict[str, list[float]]:
    chart = str(write_chart(root))
    config = Config(backend=SimulatorBackend(root / "cluster.db"), output=Output(io.StringIO(), io.StringIO()))
    times: dict[str, list[float]] = {"install": [], "upgrade": [], "rollback": [], "uninstall": []}
    for run in range(runs):
        name = f"bench-{run}"
        times["install"].append(timed(Install(config, release_name=name, wait=True).run, chart))
        values = ValueOptions(set_values=("version=v2",))
        times["upgrade"].append(timed(Upgrade(config, values=values, wait=True).run, name, chart))
        times["rollback"].append(timed(Rollback(config, wait=True).run, name))
        times["uninstall"].append(timed(Uninstall(config).run, name))
    return times


def populate(config: Config, releases: int, revisions: int) -> None:
    """``releases`` × ``revisions`` records (the last deployed, the others superseded)."""
    driver = config.driver_for(None)
    chart = {"metadata": {"name": "fifty", "version": "1.0.0", "appVersion": "1.0"}}
    for r in range(releases):
        for v in range(1, revisions + 1):
            status = Status.DEPLOYED if v == revisions else Status.SUPERSEDED
            stamp = Timestamp.from_unix(1_767_225_600 + r * 100 + v)
            rel = Release(name=f"release-{r:04d}", namespace="default", version=v, chart=chart,
                          info=Info(status=status, description="Upgrade complete", first_deployed=stamp,
                                    last_deployed=stamp))
            driver.create(f"sh.helm.release.v1.{rel.name}.v{v}", rel, {})


def bench_list(runs: int, releases: int, revisions: int, root: Path) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for driver in ("memory", "sql"):
        config = Config(driver=driver, sql_connection=str(root / "releases.db"), output=Output(io.StringIO(), io.StringIO()))
        populate(config, releases, revisions)
        samples = [timed(ReleaseList(config, limit=0).run) for _ in range(runs)]
        listed = ReleaseList(config, limit=0).run()
        assert len(listed) == releases
        out[f"list ({driver} driver, {releases}×{revisions})"] = samples
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--releases", type=int, default=1000)
    parser.add_argument("--revisions", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="helmlite-bench-") as tmp:
        root = Path(tmp)
        results = bench_operations(args.runs, root)
        results |= bench_list(args.runs, args.releases, args.revisions, root)
    width = max(len(k) for k in results)
    print(f"{'operation':<{width}}  {'median ms':>10}  {'min ms':>8}  {'max ms':>8}")
    for key, samples in results.items():
        print(f"{key:<{width}}  {statistics.median(samples):>10.1f}  {min(samples):>8.1f}  {max(samples):>8.1f}")


if __name__ == "__main__":
    main()
