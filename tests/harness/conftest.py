import pytest

from tests.firmware.fake_build import OTHER_HASH, build_fake


@pytest.fixture(scope="session")
def fake_fw(tmp_path_factory):
    return build_fake(tmp_path_factory.mktemp("fake_fw"))


@pytest.fixture(scope="session")
def other_fake_fw(tmp_path_factory):
    return build_fake(tmp_path_factory.mktemp("other_fw"), model_hash=OTHER_HASH)
