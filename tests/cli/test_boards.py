import json

from tests.conftest import run_cli


def test_boards_table_and_json(tmp_path):
    r = run_cli("boards", build=tmp_path)
    assert r.returncode == 0 and "qemu-m4" in r.stdout and "mps2-an386" in r.stdout
    r = run_cli("boards", "--json", build=tmp_path)
    boards = {b["id"]: b for b in json.loads(r.stdout)}
    assert boards["qemu-m4"]["flash_bytes"] == 4 * 1024 * 1024 and boards["qemu-m7"]["cpu"] == "cortex-m7"
