"""`toolchain bench` refuses counts that would change what is measured, before building anything."""

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import KWS, run_cli


@pytest.mark.parametrize("option, value, needle", [("--samples", "0", "--samples 0"), ("--samples", "-3", "--samples -3"),
                                                   ("--runs", "4", "--runs 4"), ("--runs", "0", "--runs 0")])
def test_out_of_range_counts_are_usage_errors(option, value, needle, tmp_path):
    r = run_cli("bench", "--board", "qemu-m4", "--model", str(KWS), option, value, build=tmp_path)
    assert_clean_error(r, needle, "pass ")
    assert r.returncode == 2
    assert not list(tmp_path.rglob("*")), "nothing may be built for a refused command"
