"""Every storage driver, for the contract, history and lease tests.

``make_driver(namespace)`` gives drivers over one shared store, each reading ``namespace``.
PostgreSQL joins the matrix when ``HELMLITE_TEST_POSTGRES_URL`` points at a server and psycopg
is importable (neither is a helmlite dependency); each test gets its own schema.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from helmlite.release.storage import (
    ConfigMapDriver,
    Driver,
    InMemoryObjectClient,
    MemoryDriver,
    SecretDriver,
    SQLDriver,
)

NOW = 1795313942
DriverFactory = Callable[[str], Driver]
POSTGRES_URL = os.environ.get("HELMLITE_TEST_POSTGRES_URL", "")
DRIVERS = ["memory", "sql", "secret", "configmap"] + (["postgres"] if POSTGRES_URL else [])


def fixed_clock() -> float:
    return NOW


@pytest.fixture(params=DRIVERS)
def make_driver(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DriverFactory]:
    opened: list[SQLDriver] = []
    cleanup: Callable[[], None] = lambda: None
    if request.param == "memory":
        base = MemoryDriver(clock=fixed_clock)

        def make(ns: str) -> Driver:
            return base.for_namespace(ns)

    elif request.param in ("sql", "postgres"):
        url = str(tmp_path / "releases.db")
        if request.param == "postgres":
            psycopg = pytest.importorskip("psycopg")
            schema = f"helmlite_test_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                admin.execute(f"CREATE SCHEMA {schema}")
            separator = "&" if "?" in POSTGRES_URL else "?"
            url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"

            def cleanup() -> None:
                with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                    admin.execute(f"DROP SCHEMA {schema} CASCADE")

        def make(ns: str) -> Driver:
            driver = SQLDriver(url, ns, clock=fixed_clock)
            opened.append(driver)
            return driver

    else:
        client = InMemoryObjectClient()
        cls = SecretDriver if request.param == "secret" else ConfigMapDriver

        def make(ns: str) -> Driver:
            return cls(client, ns, clock=fixed_clock)

    yield make
    for driver in opened:
        driver.close()
    cleanup()


@pytest.fixture
def driver(make_driver: DriverFactory) -> Driver:
    return make_driver("default")
