"""Graph -> layers (one C call each) and the buffers the planner places."""

from dataclasses import dataclass, field

from toolchain.aot.errors import AotError
from toolchain.aot.graph import Graph
from toolchain.aot.layer import Layer, describe
from toolchain.aot.lower_16x8 import is_16x8, lower_16x8
from toolchain.aot.lower_batch_matmul import lower_batch_matmul
from toolchain.aot.lower_conv import lower_conv, lower_depthwise, lower_fully_connected
from toolchain.aot.lower_hard_swish import lower_hard_swish
from toolchain.aot.lower_misc import (lower_add_mul, lower_concat, lower_pad, lower_pool, lower_quantize,
                                      lower_reshape, lower_sigmoid, lower_softmax)
from toolchain.aot.lower_gather import lower_gather
from toolchain.aot.lower_prelu import lower_prelu
from toolchain.aot.lower_reduce import lower_mean
from toolchain.aot.lower_relu import lower_relu
from toolchain.aot.lower_resize import lower_resize_nearest
from toolchain.aot.lower_slice import lower_split, lower_strided_slice
from toolchain.aot.lower_sub import lower_sub
from toolchain.aot.lower_transpose import lower_transpose
from toolchain.aot.lower_transpose_conv import lower_transpose_conv
from toolchain.aot.planner import Buffer

LOWERINGS = {
    "CONV_2D": lower_conv, "DEPTHWISE_CONV_2D": lower_depthwise, "FULLY_CONNECTED": lower_fully_connected,
    "AVERAGE_POOL_2D": lower_pool, "MAX_POOL_2D": lower_pool, "ADD": lower_add_mul, "MUL": lower_add_mul,
    "SOFTMAX": lower_softmax, "LOGISTIC": lower_sigmoid, "TANH": lower_sigmoid, "QUANTIZE": lower_quantize,
    "DEQUANTIZE": lower_quantize, "RESHAPE": lower_reshape, "SQUEEZE": lower_reshape,
    "EXPAND_DIMS": lower_reshape, "PAD": lower_pad, "PADV2": lower_pad, "CONCATENATION": lower_concat,
    "MEAN": lower_mean, "RELU": lower_relu, "RELU6": lower_relu, "LEAKY_RELU": lower_relu,
    "TRANSPOSE": lower_transpose,
    "SPLIT": lower_split, "SPLIT_V": lower_split, "STRIDED_SLICE": lower_strided_slice, "GATHER": lower_gather,
    "RESIZE_NEAREST_NEIGHBOR": lower_resize_nearest, "PRELU": lower_prelu, "BATCH_MATMUL": lower_batch_matmul,
    "TRANSPOSE_CONV": lower_transpose_conv, "SUB": lower_sub, "HARD_SWISH": lower_hard_swish,
}
MULTI_OUTPUT = {"SPLIT", "SPLIT_V"}  # ops whose lowering writes every output in one call

@dataclass
class Memory:
    """Where each activation tensor lives: its root (after reshape aliasing)
    and, per root, a planner buffer ("t<root>"). The model's input and output
    are planned in the arena like any tensor (as TFLM does): the input is
    copied in before layer 0, so its space is reused once its last reader
    is done; the output is copied out after the last layer."""
    root: dict[int, int]
    home: dict[int, str] = field(default_factory=dict)      # root -> "t<root>"
    buffers: list[Buffer] = field(default_factory=list)


def lower_graph(graph: Graph) -> list[Layer]:
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        raise AotError(f"model has {len(graph.inputs)} inputs and {len(graph.outputs)} outputs; "
                       "the AOT runtime takes exactly one of each", "use --runtime tflm")
    layers = []
    wide = is_16x8(graph)
    for op in graph.ops:
        fn = lower_16x8 if wide else LOWERINGS.get(op.name)
        if fn is None:
            raise AotError(f"{describe(op, graph)}: op {op.name} is not supported by the AOT compiler",
                           f"use --runtime tflm, or replace layer {op.index} with one of: "
                           + ", ".join(sorted(LOWERINGS)))
        if (len(op.outputs) != 1 and op.name not in MULTI_OUTPUT) or not op.inputs or op.inputs[0] < 0:
            raise AotError(f"{describe(op, graph)}: expected one output and a first input", "use --runtime tflm")
        layers.append(fn(op, graph))
    return layers


def assign_memory(graph: Graph, layers: list[Layer]) -> Memory:
    """Buffers for `layers` in execution order: lifetimes count positions
    in that list (a layer's index names its op, not its turn)."""
    root = {t.index: t.index for t in graph.tensors}
    for layer in layers:
        if layer.call == "alias":
            root[layer.output] = root[layer.inputs[0]]
    mem = Memory(root)
    g_in, g_out = root[graph.inputs[0]], root[graph.outputs[0]]
    first, last = {g_in: 0}, {}   # the input is written (copied in) before layer 0
    for pos, layer in enumerate(layers):
        if layer.call == "alias":
            continue
        for t in [layer.output] + layer.extra_outputs:
            first.setdefault(root[t], pos)
        for t in layer.inputs:
            last[root[t]] = pos
    last[g_out] = max(len(layers) - 1, 0)  # read (copied out) after the last layer
    for r, start in first.items():
        if r not in mem.home:
            mem.home[r] = f"t{r}"
            mem.buffers.append(Buffer(f"t{r}", graph.tensors[r].nbytes, start, max(start, last.get(r, start))))
    by_key = {b.key: b for b in mem.buffers}
    for pos, layer in enumerate(layers):
        out = by_key.get(mem.home.get(root[layer.output], ""))
        for t, lag in layer.lag.items():
            src = by_key.get(mem.home.get(root[t], ""))
            if out is not None and src is not None and src is not out and src.last == pos:
                out.lags[src.key] = lag
                out.units[src.key] = layer.lag_unit
        if layer.scratch:
            mem.buffers.append(Buffer(f"s{layer.index}", layer.scratch, pos, pos))
    return mem
