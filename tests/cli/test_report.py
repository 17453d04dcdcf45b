from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import KWS, run_cli


def test_report_without_bench_results(tmp_path):
    assert_clean_error(run_cli("report", "--board", "qemu-m4", "--model", str(KWS), build=tmp_path), "no bench results",
                       "toolchain bench")
