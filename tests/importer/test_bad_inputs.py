"""Each bad input to the ONNX importer is refused with one clear line (and exit code 1 from the CLI)."""

import numpy as np
import onnx
import pytest

from tests.conftest import run_cli
from tests.importer.onnx_models import conv_net, two_inputs, with_op
from toolchain.importer import OnnxError, load_calibration, read, to_keras


def _save(tmp_path, model, name="net.onnx"):
    path = tmp_path / name
    onnx.save(model, str(path))
    return path


def test_dynamic_dims_ask_for_input_shape(tmp_path):
    path = _save(tmp_path, conv_net(batch="N", size=8))
    read(path)  # a dynamic batch alone is fixed to 1
    model = conv_net()
    model.graph.input[0].type.tensor_type.shape.dim[2].dim_param = "H"
    path = _save(tmp_path, model)
    with pytest.raises(OnnxError, match=r"dynamic dimensions \(Nx3xHx8\).*--input-shape"):
        read(path)
    assert read(path, (1, 3, 8, 8)).input_shape == (1, 3, 8, 8)
    with pytest.raises(OnnxError, match="does not fit input"):
        read(path, (1, 4, 8, 8))


@pytest.mark.parametrize("opset", [9, 22])
def test_opset_out_of_range(tmp_path, opset):
    with pytest.raises(OnnxError, match=f"opset {opset}; the importer lowers opsets 11 to 21"):
        read(_save(tmp_path, conv_net(opset=opset)))


def test_several_inputs(tmp_path):
    with pytest.raises(OnnxError, match="2 inputs and 1 outputs; .* take one input and one output"):
        read(_save(tmp_path, two_inputs()))


@pytest.mark.parametrize("content", [b"", b"not a model at all \x00\xff" * 10, b"\x08\x07"])
def test_not_an_onnx_model(tmp_path, content):
    path = tmp_path / "net.onnx"
    path.write_bytes(content)
    with pytest.raises(OnnxError, match="is not an ONNX model"):
        read(path)


def test_missing_file(tmp_path):
    with pytest.raises(OnnxError, match="does not exist"):
        read(tmp_path / "nope.onnx")


def test_op_without_lowering_names_node_and_type(tmp_path):
    with pytest.raises(OnnxError, match=r"no lowering for 1 node\(s\): 'my_erf' \(Erf\)"):
        to_keras(read(_save(tmp_path, with_op("Erf"))))


def test_calibration_wrong_shape_and_dtype(tmp_path):
    shape = (1, 3, 8, 8)
    np.save(tmp_path / "ints.npy", np.zeros((10, 3, 8, 8), np.uint8))
    np.save(tmp_path / "nhwc.npy", np.zeros((10, 8, 8, 3), np.float32))
    with pytest.raises(OnnxError, match="has dtype uint8; the model takes float32"):
        load_calibration(tmp_path / "ints.npy", shape)
    with pytest.raises(OnnxError, match=r"has shape \(10, 8, 8, 3\); the ONNX input takes \(N, 3, 8, 8\)"):
        load_calibration(tmp_path / "nhwc.npy", shape)
    (tmp_path / "calib.txt").write_text("1 2 3")
    with pytest.raises(OnnxError, match="not a .npy file or a folder"):
        load_calibration(tmp_path / "calib.txt", shape)
    folder = tmp_path / "samples"
    folder.mkdir()
    for i in range(3):
        np.save(folder / f"{i}.npy", np.full((3, 8, 8), i, np.float32))
    assert load_calibration(folder, shape).shape == (3, 3, 8, 8)


def test_cli_one_line_errors(tmp_path):
    """Through the CLI: one `Error:` line, exit code 1, no traceback; no calibration is refused, not guessed."""
    path = _save(tmp_path, conv_net(batch=1))
    np.save(tmp_path / "bad.npy", np.zeros((4, 8, 8, 3), np.float32))
    for args, expect in [((), "needs calibration data to be quantized to int8"),
                         (("--calibration", str(tmp_path / "bad.npy")), "has shape (4, 8, 8, 3)")]:
        r = run_cli("optimize", "--model", str(path), *args, build=tmp_path / "build")
        assert r.returncode == 1, r.stderr
        lines = [line for line in (r.stdout + r.stderr).splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error:") and expect in lines[0], lines
