"""``helmlite.release.storage`` re-exports its drivers lazily: the history policy, the operation
lock and each driver load only the driver modules they use (the ``sql`` driver costs sqlite3).

Each case runs in a fresh interpreter: ``sys.modules`` of the test process says nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helmlite.release import storage

DRIVER_MODULES = ("helmlite.release.storage.memory", "helmlite.release.storage.objects",
                  "helmlite.release.storage.sql", "sqlite3")

REPORT = """\
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(name for name in {modules!r} if name in sys.modules)))
"""


def driver_modules_loaded_by(module: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", REPORT.format(modules=DRIVER_MODULES), module],
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("module", "loaded"),
    [
        ("helmlite.release.storage", []),
        ("helmlite.release.storage.driver", []),
        ("helmlite.release.history", []),
        ("helmlite.release.lock", []),
        ("helmlite.release.storage.memory", ["helmlite.release.storage.memory"]),
        ("helmlite.release.storage.objects", ["helmlite.release.storage.objects"]),
        ("helmlite.release.storage.sql", ["helmlite.release.storage.sql", "sqlite3"]),
    ],
)
def test_each_module_loads_only_the_drivers_it_uses(module: str, loaded: list[str]) -> None:
    assert driver_modules_loaded_by(module) == loaded


def test_every_public_name_resolves_to_its_home_module() -> None:
    homes = {name: module for module, names in storage._HOMES.items() for name in names}
    assert set(homes) == set(storage.__all__)
    for name in storage.__all__:
        value = getattr(storage, name)
        assert value is getattr(sys.modules[homes[name]], name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'SqliteDriver'"):
        storage.SqliteDriver  # noqa: B018 - the attribute access is the test
