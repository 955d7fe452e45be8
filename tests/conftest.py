"""Shared pytest configuration: the `--update-golden` option of test_golden.py."""

from __future__ import annotations

import pytest

#: Golden files are generated code, not tests or modules to import.
collect_ignore = ["golden"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*.py with the source tangentish generates now",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
