"""``test``: run a release's ``test`` hooks and record each one's phase (Helm's ``pkg/action/release_testing.go``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from helmlite.actions.action import Config, acquire_lease
from helmlite.actions.apply import HookError, run_hooks
from helmlite.actions.template import validate_release_name
from helmlite.backends.base import DEFAULT_WAIT_TIMEOUT, BackendError
from helmlite.errors import HelmliteError
from helmlite.release.model import Hook, Release

__all__ = ["ReleaseTest", "TestFailed", "collect_test_logs", "test_filter"]


class TestFailed(HelmliteError):
    """A test hook failed or did not finish; its phase is recorded in the release."""

    __test__ = False  # not a pytest class, whatever its name says


def test_filter(filters: list[str]) -> Callable[[Hook], bool] | None:
    """``--filter name=a,name=b,!name=c``: run only the named tests, or all but the excluded ones.

    Raises HelmliteError for a filter that is not ``name=…`` or ``!name=…``.
    """
    include: set[str] = set()
    exclude: set[str] = set()
    for item in (part.strip() for text in filters for part in text.split(",")):
        if not item:
            continue
        negate = item.startswith("!")
        key, sep, value = item.lstrip("!").partition("=")
        if key != "name" or not sep:
            raise HelmliteError(f'invalid test filter "{item}": only name=NAME and !name=NAME are supported')
        (exclude if negate else include).add(value)
    if not include and not exclude:
        return None
    return lambda hook: (not include or hook.name in include) and hook.name not in exclude


@dataclass
class ReleaseTest:
    """Options of ``helmlite test``; ``run`` returns the release with each test's last run."""

    config: Config
    namespace: str | None = None
    timeout: float = DEFAULT_WAIT_TIMEOUT
    filters: list[str] = field(default_factory=list)

    __test__ = False

    def run(self, name: str) -> Release:
        """Run the test hooks of the last revision of ``name`` in (weight, name) order.

        Raises ReleaseNotFound, OperationInProgress, TestFailed (after recording the failure).
        """
        validate_release_name(name)
        chosen = test_filter(self.filters)
        config = self.config
        with config.session() as session:
            storage = config.storage(session, self.namespace)
            held, _ = acquire_lease(config, storage, name, "test")
            try:
                rel = storage.last(name)
                latest = rel

                def record(updated: Release) -> None:
                    nonlocal latest
                    latest = updated
                    storage.update(updated)

                try:
                    run_hooks(session, rel, "test", timeout=self.timeout, record=record, now=config.clock, names=chosen,
                              field_manager=config.field_manager)
                except HookError as exc:
                    raise TestFailed(str(exc)) from None
                return latest
            finally:
                held.release(storage)


def collect_test_logs(config: Config, rel: Release, filters: list[str]) -> str:
    """``helm test --logs``: each selected test hook's pod log, in hook-weight order, as
    ``POD LOGS: NAME`` + the log + a blank line (Helm's ``GetPodLogs``).

    As in Helm, a test hook is read as a Pod of the hook's name in the release namespace, so a
    hook that is not a Pod, or was deleted by its ``hook-succeeded`` policy, is an error.

    Raises HelmliteError ``unable to get pod logs for NAME: …``.
    """
    chosen = test_filter(filters)
    tests = [h for h in sorted(rel.hooks, key=lambda h: h.weight)
             if "test" in h.events and (chosen is None or chosen(h))]
    out: list[str] = []
    with config.session() as session:
        for hook in tests:
            try:
                text = session.logs(rel.namespace, hook.name)
            except BackendError as exc:
                raise HelmliteError(f"unable to get pod logs for {hook.name}: {exc}") from None
            out.append(f"POD LOGS: {hook.name}\n{text}\n")
    return "".join(out)
