"""LayerNorm written node by node (PyTorch's export at opset < 17, as in openWakeWord's heads), lowered as one
Keras LayerNormalization: the same outputs as ONNX Runtime; a near-miss of the pattern is refused by name."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from toolchain.importer import OnnxError, read, to_keras
from toolchain.importer.parity import onnxruntime_outputs


def mlp_with_layer_norm(exponent: float = 2.0, epsilon: float = 1e-5) -> onnx.ModelProto:
    """Gemm 12->8, LayerNorm over the 8 features (with Constant nodes, as torch writes them), Relu, Gemm 8->3."""
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for n, a in (
        ("w1", rng.normal(size=(8, 12))), ("b1", rng.normal(size=8)), ("gamma", rng.uniform(0.5, 2, 8)),
        ("beta", rng.normal(size=8)), ("w2", rng.normal(size=(3, 8))), ("b2", rng.normal(size=3)))]
    const = lambda name, v: helper.make_node("Constant", [], [name], value=numpy_helper.from_array(  # noqa: E731
        np.array(v, np.float32), name))
    nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], transB=1),
             helper.make_node("ReduceMean", ["h"], ["mean"], axes=[-1]),
             helper.make_node("Sub", ["h", "mean"], ["d"]),
             const("two", exponent), helper.make_node("Pow", ["d", "two"], ["sq"]),
             helper.make_node("ReduceMean", ["sq"], ["var"], axes=[-1]),
             const("eps", epsilon), helper.make_node("Add", ["var", "eps"], ["var_eps"]),
             helper.make_node("Sqrt", ["var_eps"], ["std"]), helper.make_node("Div", ["d", "std"], ["n"]),
             helper.make_node("Mul", ["n", "gamma"], ["scaled"]), helper.make_node("Add", ["scaled", "beta"], ["ln"]),
             helper.make_node("Relu", ["ln"], ["r"]), helper.make_node("Gemm", ["r", "w2", "b2"], ["y"], transB=1)]
    graph = helper.make_graph(nodes, "ln", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 12])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_layer_norm_pattern_matches_onnxruntime(tmp_path):
    path = tmp_path / "ln.onnx"
    onnx.save(mlp_with_layer_norm(epsilon=1e-3), str(path))
    model = read(path)
    converted = to_keras(model)
    norms = [layer for layer in converted.keras_model.layers if layer.__class__.__name__ == "LayerNormalization"]
    assert len(norms) == 1 and norms[0].epsilon == pytest.approx(1e-3)
    x = np.random.default_rng(1).normal(size=(32, 12)).astype(np.float32) * 3
    reference = onnxruntime_outputs(model, x)
    ours = converted.keras_model.predict(x, verbose=0)
    assert np.abs(ours - reference).max() < 1e-4 * max(1.0, np.abs(reference).max())


def test_a_pattern_that_is_not_layer_norm_is_refused_by_its_nodes(tmp_path):
    path = tmp_path / "cube.onnx"
    onnx.save(mlp_with_layer_norm(exponent=3.0), str(path))
    with pytest.raises(OnnxError, match=r"no lowering for .*\(Pow\)"):
        to_keras(read(path))
