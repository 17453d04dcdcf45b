"""Emit model.h / model.c from the lowered layers and the memory plan."""

import hashlib
from pathlib import Path

import jinja2
import numpy as np

from toolchain import modelinfo
from toolchain.aot.errors import AotError
from toolchain.aot.graph import Graph
from toolchain.aot.layer import Const, Layer, c_float
from toolchain.aot.lower import Memory
from toolchain.aot.planner import Plan

_HEADERS = {"tm_conv_16x8_eval": "conv_16x8", "tm_depthwise_conv_16x8_eval": "depthwise_conv_16x8",
            "tm_fully_connected_16x8_eval": "fully_connected_16x8", "tm_pooling_16x8": "pooling_16x8",
            "tm_softmax_16x8_eval": "softmax_16x8", "tm_reduce_16x8": "reduce_16x8",
            "tm_logistic_16x8_eval": "logistic_16x8", "tm_tanh_16x8_eval": "tanh_16x8",
            "tm_elementwise_16x8": "elementwise_16x8", "tm_quantize_16x8": "quantize_16x8",
            "tm_conv_eval": "conv", "tm_depthwise_conv_eval": "depthwise_conv",
            "tm_fully_connected_eval": "fully_connected", "tm_pooling": "pooling", "tm_elementwise": "elementwise",
            "tm_activation": "activation", "tm_quantize": "quantize", "tm_layout": "layout", "tm_reduce": "reduce",
            "tm_relu": "relu", "tm_transpose": "transpose",
            "tm_split": "split", "tm_strided_slice": "strided_slice", "tm_gather": "gather",
            "tm_resize_nearest": "resize_nearest", "tm_prelu": "prelu", "tm_batch_matmul": "batch_matmul",
            "tm_transpose_conv": "transpose_conv", "tm_sub": "sub", "tm_hard_swish": "hard_swish"}

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                          undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=False)


class _Pointers:
    """C expressions for tensor pointers: caller buffers, arena offsets, constants."""

    def __init__(self, graph: Graph, mem: Memory, plan: Plan):
        self.graph, self.mem = graph, mem
        self.offsets = {b.key: b.offset for b in plan.buffers}
        self.consts: list[Const] = []

    def at(self, t: int, byte: int) -> str:
        """Byte `byte` of arena tensor t."""
        return f"(int8_t *)(tm_arena + {self.offsets[self.mem.home[self.mem.root[t]]] + byte})"

    def __call__(self, t: int) -> str:
        tensor = self.graph.tensors[t]
        ct = modelinfo.c_type(tensor.dtype)
        home = self.mem.home.get(self.mem.root[t])
        if home is not None:
            return f"({ct} *)(tm_arena + {self.offsets[home]})"
        name = f"c{t}"
        if all(c.name != name for c in self.consts):
            self.consts.append(Const(name, ct, tensor.data))
        return name


def _header(func: str) -> str:
    """The kernel header declaring `func`: the longest matching prefix (tm_transpose_conv is not tm_transpose)."""
    return _HEADERS[max((p for p in _HEADERS if func.startswith(p)), key=len)]


def _call(layer: Layer, ptr: _Pointers) -> str:
    out = ptr(layer.output)
    ins = [ptr(t) for t in layer.inputs]
    p = f"&l{layer.index}_params"
    if layer.call == "alias":
        return f"// layer {layer.index} {layer.op}: output aliases the input, no code"
    if layer.call == "concat":
        return f"{{ const void *const in[] = {{{', '.join(ins)}}}; {layer.func}({p}, in, {out}); }}"
    if layer.call == "split":
        outs = ", ".join([out] + [ptr(t) for t in layer.extra_outputs])
        return f"{{ void *const out[] = {{{outs}}}; {layer.func}({p}, {ins[0]}, out); }}"
    return f"{layer.func}({p}, {', '.join(ins)}, {out});"


def _const_view(c: Const) -> dict:
    vals = np.asarray(c.values).reshape(-1)
    if c.ctype == "float":
        items = [c_float(v) for v in vals]
    else:
        items = [str(int(v)) for v in vals]
    lines = ["    " + ", ".join(items[i:i + 16]) + "," for i in range(0, len(items), 16)]
    body = "\n".join(lines) + "\n" if lines else "    0\n"
    return dict(name=c.name, ctype=c.ctype, count=max(len(items), 1), body=body, guard=c.guard)


def _c_text(text: str) -> str:
    """Safe inside a C string literal and a // comment."""
    return "".join(ch if ch.isprintable() and ch not in '"\\' else "_" for ch in text)


def _io_view(t) -> dict:
    return dict(ttype=modelinfo.DTYPES[t.dtype].tm_enum if t.dtype in modelinfo.DTYPES else "TM_DTYPE_INT8", nbytes=t.nbytes, count=t.size,
                scale=c_float(t.sc), zp=t.zp)


def render(graph: Graph, layers: list[Layer], mem: Memory, plan: Plan, *, name: str, source: str,
           model_bytes: bytes, profile: bool = False, validate: bool = False,
           embedding: int | None = None) -> dict[str, str]:
    """{"model.h": text, "model.c": text}. `validate`: each layer's output is handed to tm_validate_layer_done.
    `embedding`: a tensor handed to tm_personalize_embedding after the layer that makes it (personalization);
    such a build with an int8 output also hands that output to tm_personalize_output before it leaves."""
    ptr = _Pointers(graph, mem, plan)
    embed_root = None
    if embedding is not None:
        embed_root = mem.root[embedding]
        if mem.home.get(embed_root) is None:
            raise AotError(f"tensor {embedding} (the embedding) is never whole in the arena",
                           "personalise a model whose last FULLY_CONNECTED reads a planned tensor")
    scratch = {b.key: b.offset for b in plan.buffers if b.key.startswith("s")}
    views, params, consts, headers = [], [], [], set()
    for layer in layers:
        parts = getattr(layer, "parts", None) or [layer]
        for part in parts:
            consts += part.consts
            if part.func:
                headers.add(_header(part.func))
        if layer.call == "stream":
            call = layer.code(ptr.at, scratch[f"s{layer.index}"])
            conv_scratch = scratch[f"s{layer.index}"] + layer.window + layer.chunk
            for part in parts[:2]:
                part.fields["scratch"] = f"(int8_t *)(tm_arena + {conv_scratch})"
            params += layer.param_views()
        else:
            if layer.ptype in ("tm_conv_params_t", "tm_depthwise_conv_params_t", "tm_conv_16x8_params_t"):
                off = scratch.get(f"s{layer.index}")
                ctype = "int16_t" if "16x8" in layer.ptype else "int8_t"
                layer.fields["scratch"] = f"({ctype} *)(tm_arena + {off})" if off is not None else "0"
            call = _call(layer, ptr)
            if layer.ptype:
                params.append(dict(name=f"l{layer.index}_params", index=layer.index, op=layer.op,
                                   ptype=layer.ptype, fields=layer.fields, macs=layer.macs))
        outs = [dict(index=p.index, ptr=ptr(p.output), bytes=graph.tensors[p.output].nbytes)
                for p in parts] if validate else []
        embed = []
        if embed_root is not None and any(mem.root.get(p.output) == embed_root for p in parts):
            embed, embed_root = [ptr(embedding)], None  # once: after the layer that makes it
        views.append(dict(call=call, done=[p.index for p in parts], outs=outs, embed=embed))
    names = [op for _, op in sorted((p.index, p.op) for l in layers for p in (getattr(l, "parts", None) or [l]))]
    params.sort(key=lambda v: v["index"])
    g_in, g_out = graph.tensors[graph.inputs[0]], graph.tensors[graph.outputs[0]]
    headers.add("layout")  # the input is copied into the arena, the output out of it
    io = dict(input_offset=ptr.offsets[mem.home[mem.root[g_in.index]]],
              output_offset=ptr.offsets[mem.home[mem.root[g_out.index]]])
    guard = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in name.upper())
    ctx = dict(source=_c_text(source), name=_c_text(name), guard=guard,
               layers=views, params=params, names=names, arena=plan.peak, headers=sorted(headers),
               consts=[_const_view(c) for c in consts + ptr.consts],
               hash=hashlib.sha256(model_bytes).hexdigest()[:16], input=_io_view(g_in), output=_io_view(g_out),
               profile=profile, personalize_output=embedding is not None and g_out.dtype == "int8", **io)
    return {"model.h": _ENV.get_template("model.h.j2").render(ctx),
            "model.c": _ENV.get_template("model.c.j2").render(ctx)}
