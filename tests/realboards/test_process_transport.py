"""`process://`: a program's stdio as the device link."""

import sys

import pytest

from toolchain.device.harness.errors import TransportError
from toolchain.device.harness.transports import open_transport


def read_until(t, n: int) -> bytes:
    got = b""
    for _ in range(50):
        got += t.read(0.1)
        if len(got) >= n:
            break
    return got


def test_round_trip():
    with open_transport("process://cat") as t:
        t.write(b"name%\n")
        assert read_until(t, 6) == b"name%\n"


def test_arguments_are_split_like_a_shell():
    with open_transport(f"process://{sys.executable} -c 'print(\"m-ready\")'") as t:
        assert read_until(t, 8) == b"m-ready\n"


def test_exit_is_a_transport_error_with_stderr():
    with open_transport(f"process://{sys.executable} -c 'import sys; sys.stderr.write(\"boom\"); sys.exit(3)'") as t:
        with pytest.raises(TransportError, match="status 3: boom"):
            read_until(t, 1)


def test_reopen_restarts_the_program():
    t = open_transport("process://cat")
    t.reopen()
    t.write(b"x")
    assert read_until(t, 1) == b"x"
    t.close()


@pytest.mark.parametrize("url, needle", [("process://", "malformed"), ("process://'unclosed", "malformed"),
                                         ("process://no-such-program-xyz", "cannot start")])
def test_bad_urls(url, needle):
    with pytest.raises(TransportError, match=needle):
        open_transport(url)
