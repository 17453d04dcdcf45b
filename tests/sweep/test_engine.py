"""A Ray address that cannot be reached: one clear error line within seconds, not a hang."""

import time

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli


@pytest.mark.parametrize("address, needle", [
    ("127.0.0.1:1", "127.0.0.1:1"),  # nothing listens: refused at once
    ("ray://127.0.0.1:1", "127.0.0.1:1"),
    ("192.0.2.1:6379", "192.0.2.1:6379"),  # TEST-NET: no answer, the connect times out
])
def test_unreachable_address_is_one_clear_error(tmp_path, address, needle):
    t0 = time.monotonic()
    r = run_cli("sweep", "--address", address, build=tmp_path / "build")
    assert time.monotonic() - t0 < 30
    assert_clean_error(r, f"cannot reach the Ray cluster at '{address}'", needle, "ray start --head")


def test_not_an_address(tmp_path):
    assert_clean_error(run_cli("sweep", "--address", "ray://nohost", build=tmp_path / "build"), "not a Ray address")
