"""Random sequences of install / upgrade / rollback / uninstall, some made to fail (an image that
never pulls, with --wait), against a model of Helm's revision rules. After every step the
recorded history must equal the model's: revisions unique and contiguous, at most one deployed,
each status and description as Helm writes them."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from release_fixtures import DEPLOYMENT

from helmlite.actions.action import Config
from helmlite.actions.install import Install
from helmlite.actions.rollback import Rollback
from helmlite.actions.uninstall import Uninstall
from helmlite.actions.upgrade import Upgrade
from helmlite.backends.simulator import SimulatorBackend
from helmlite.cluster.faults import add_fault
from helmlite.errors import HelmliteError
from helmlite.output import Output
from helmlite.release.lock import OperationLock
from helmlite.release.storage import ReleaseNotFound
from helmlite.values.options import ValueOptions
from helmlite.values.yamlio import dump_yaml

NAME = "web"
# Virtual seconds: long enough for a good rollout, short enough to give up on a bad one quickly.
TIMEOUT = 20.0
DESCRIPTIONS = [
    r"Install complete",
    r"Upgrade complete",
    r"Rollback to \d+",
    r"Uninstallation complete",
    r"superseded by new release",
    r'Release "web" failed: .+',
    r'Upgrade "web" failed: .+',
    r'Rollback "web" failed: .+',
]


def _chart(root: Path) -> str:
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text(
        "apiVersion: v2\nname: app\nversion: 0.1.0\nannotations:\n  helmlite.io/template-engine: jinja2\n"
    )
    (root / "values.yaml").write_text(dump_yaml({"replicas": 1, "selector": "web", "image": "nginx:1.25"}))
    (root / "templates" / "d.yaml").write_text(DEPLOYMENT)
    return str(root)


class ReleaseMachine(RuleBasedStateMachine):
    """The model: the list of (status, description pattern) per revision, ``[]`` when purged."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="helmlite-sm-"))
        self.chart = _chart(self.tmp / "app")
        backend = SimulatorBackend.in_memory()
        with backend.session() as session:
            add_fault(session.cluster, {"kind": "image-pull", "image": "nginx:broken"})
        self.config = Config(backend=backend, driver="memory", output=Output(io.StringIO(), io.StringIO()))
        self.model: list[tuple[str, str]] = []
        # Which revisions run a good image (rolling back to a bad one fails its --wait).
        self.good: dict[int, bool] = {}

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers -------------------------------------------------------------------------

    def values(self, fail: bool, n: int) -> ValueOptions:
        image = "nginx:broken" if fail else f"nginx:1.{20 + n % 5}"
        return ValueOptions(set_values=(f"image={image}",))

    def supersede_deployed(self) -> None:
        self.model = [("superseded", d) if s == "deployed" else (s, d) for s, d in self.model]

    def last_status(self) -> str:
        return self.model[-1][0]

    # --- rules ---------------------------------------------------------------------------

    @rule(fail=st.booleans())
    def install(self, fail: bool) -> None:
        action = Install(self.config, release_name=NAME, wait=True, timeout=TIMEOUT, values=self.values(fail, 0))
        if self.model:
            try:
                action.run(self.chart)
            except HelmliteError as exc:
                assert "cannot reuse a name that is still in use" in str(exc)
            else:
                raise AssertionError("install over an existing history must fail")
            return
        self._expect_outcome(lambda: action.run(self.chart), fail)
        self.model = [("failed", DESCRIPTIONS[5]) if fail else ("deployed", DESCRIPTIONS[0])]
        self.good[1] = not fail

    @rule(fail=st.booleans(), install=st.booleans())
    def upgrade(self, fail: bool, install: bool) -> None:
        n = len(self.model) + 1
        action = Upgrade(self.config, install=install, wait=True, timeout=TIMEOUT, history_max=0,
                         values=self.values(fail, n))
        if not self.model or self.last_status() == "uninstalled":
            if not install:
                try:
                    action.run(NAME, self.chart)
                except HelmliteError as exc:
                    assert "has no deployed releases" in str(exc)
                else:
                    raise AssertionError("upgrade without a deployed release must fail")
                return
            self._expect_outcome(lambda: action.run(NAME, self.chart), fail)
            if self.model:
                self.model[-1] = ("superseded", DESCRIPTIONS[4])
            self.model.append(("failed", DESCRIPTIONS[5]) if fail else ("deployed", DESCRIPTIONS[0]))
            self.good[n] = not fail
            return
        self._expect_outcome(lambda: action.run(NAME, self.chart), fail)
        if fail:
            self.model.append(("failed", DESCRIPTIONS[6]))
        else:
            self.supersede_deployed()
            self.model.append(("deployed", DESCRIPTIONS[1]))
        self.good[n] = not fail

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def rollback(self, data: st.DataObject) -> None:
        n = len(self.model) + 1
        successful = [i + 1 for i, (s, _) in enumerate(self.model[:-1]) if s in ("deployed", "superseded")]
        revision = data.draw(st.sampled_from([0, *range(1, len(self.model) + 1)]), label="revision")
        target = revision or (successful[-1] if successful else 0)
        action = Rollback(self.config, wait=True, timeout=TIMEOUT, history_max=0)
        if not target:
            try:
                action.run(NAME, revision)
            except HelmliteError as exc:
                assert "has no successful revision" in str(exc)
            else:
                raise AssertionError("rollback without a successful revision must fail")
            return
        fail = not self.good[target]
        self._expect_outcome(lambda: action.run(NAME, revision), fail)
        if fail:
            self.model.append(("failed", DESCRIPTIONS[7]))
        else:
            self.supersede_deployed()
            self.model.append(("deployed", f"Rollback to {target}"))
        self.good[n] = not fail

    @rule(keep=st.booleans())
    def uninstall(self, keep: bool) -> None:
        action = Uninstall(self.config, keep_history=keep, wait=True, timeout=TIMEOUT)
        if not self.model:
            try:
                action.run(NAME)
            except ReleaseNotFound:
                return
            raise AssertionError("uninstall of nothing must fail")
        if self.last_status() == "uninstalled" and keep:
            try:
                action.run(NAME)
            except HelmliteError as exc:
                assert "is already deleted" in str(exc)
            else:
                raise AssertionError("a second uninstall --keep-history must fail")
            return
        action.run(NAME)
        if not keep:
            self.model = []
            self.good = {}
            return
        self.supersede_deployed()
        self.model[-1] = ("uninstalled", DESCRIPTIONS[3])

    def _expect_outcome(self, call: object, fail: bool) -> None:
        try:
            call()  # type: ignore[operator]
        except HelmliteError as exc:
            assert fail, f"unexpected failure: {exc}"
            assert "timed out waiting for the condition" in str(exc)
        else:
            assert not fail, "a broken image must fail --wait"

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def no_lease_is_left_behind(self) -> None:
        with self.config.reading() as storage:
            assert OperationLock(storage.driver).holder(NAME) is None

    @invariant()
    def history_matches_the_model(self) -> None:
        try:
            with self.config.reading() as storage:
                recorded = storage.history(NAME)
        except ReleaseNotFound:
            recorded = []
        numbers = [rel.version for rel in recorded]
        assert numbers == list(range(1, len(numbers) + 1))  # unique and contiguous
        assert sum(1 for rel in recorded if rel.status.value == "deployed") <= 1
        assert [rel.status.value for rel in recorded] == [status for status, _ in self.model]
        for rel, (_, pattern) in zip(recorded, self.model, strict=True):
            assert re.fullmatch(pattern, rel.info.description, re.DOTALL), (rel.version, rel.info.description)


TestReleaseStateMachine = ReleaseMachine.TestCase
TestReleaseStateMachine.settings = settings(
    max_examples=30, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
