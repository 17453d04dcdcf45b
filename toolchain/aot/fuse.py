"""Schedule: the order the layers run in, and conv -> conv (-> ADD) chains
streamed a few rows at a time, both chosen by the planned arena peak.

Streaming: in a chain A -> B (both CONV_2D, A's output read only by B),
A's output never exists whole. A window of its rows lives in scratch; per
step, the rows B still needs move to the window's start, A appends the new
ones, and B computes `chunk` output rows from the window. When B's output is
read only by an ADD of the same shape, the ADD runs per step too (from a
chunk buffer), so B's output never exists whole either. The chain is one
layer for the planner: it reads A's input (and the ADD's other operand) and
writes the chain's last tensor, which may overwrite A's input from a lag
worked out from the steps (bytes written vs. rows still to be read).

Order: any topological order of the layers computes the same result; e.g.
running a residual block's 1x1 shortcut before its main path lets the
block input die sooner. Up to ORDERS orders are planned for each choice of
fusions; a fusion is kept only when it lowers the peak, and ties keep the
model's own order, so models without such shapes plan as before.
"""

from dataclasses import dataclass, field

from toolchain.aot import kernel_sizes
from toolchain.aot.graph import Graph
from toolchain.aot.layer import Layer
from toolchain.aot.lower import Memory, assign_memory
from toolchain.aot.planner import ALIGN, Plan, plan

ORDERS = 32
MAX_LAYERS_REORDERED = 200


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


@dataclass
class Stream(Layer):
    """A fused A -> B (-> ADD) chain; `steps` are (r0, w0, w1, a0, a1, y0, y1):
    window rows [w0, w1) before the step, rows [r0, a1) after it, A rows
    [a0, a1) computed, B output rows [y0, y1)."""
    parts: list = field(default_factory=list)    # [A, B] or [A, B, ADD]
    steps: list = field(default_factory=list)
    row_a: int = 0          # bytes per row of A's output
    row_b: int = 0          # bytes per row of B's output
    window: int = 0         # scratch bytes for A's rows
    chunk: int = 0          # scratch bytes for one step of B's output (with an ADD)
    other: int = -1         # the ADD's operand that is not B's output
    b_first: bool = True    # B's output is the ADD's first input

    def param_views(self) -> list[dict]:
        """Parameter structs: the parts', plus the ADD's for a shorter last step."""
        views = [_param_view(p) for p in self.parts if p.ptype]
        if len(self.parts) == 3:
            add = self.parts[2]
            counts = sorted({(y1 - y0) * self.row_b for *_, y0, y1 in self.steps})
            views = views[:-1]
            for n in counts:
                views.append(_param_view(add, f"l{add.index}_params_{n}", count=n))
        return views

    def code(self, at, scratch: int) -> str:
        """C statements; at(t, byte) is the arena pointer expression of tensor t plus byte."""
        a, b = self.parts[0], self.parts[1]
        win = f"(int8_t *)(tm_arena + {scratch})"
        chunk = f"(int8_t *)(tm_arena + {scratch + self.window})"
        lines = [f"// layers {', '.join(str(p.index) for p in self.parts)} streamed: "
                 f"{' -> '.join(p.op for p in self.parts)}, {len(self.steps)} steps"]
        for r0, w0, w1, a0, a1, y0, y1 in self.steps:
            if w0 < r0 < w1:
                lines.append(f"tm_layout_copy((int8_t *)(tm_arena + {scratch + (r0 - w0) * self.row_a}), {win}, "
                             f"{(w1 - r0) * self.row_a});")
            if a1 > a0:
                lines.append(f"tm_conv_eval_rows(&l{a.index}_params, {at(a.inputs[0], 0)}, 0, "
                             f"(int8_t *)(tm_arena + {scratch + (a0 - r0) * self.row_a}), {a0}, {a1});")
            if len(self.parts) == 2:
                lines.append(f"tm_conv_eval_rows(&l{b.index}_params, {win}, {r0}, {at(b.output, y0 * self.row_b)}, "
                             f"{y0}, {y1});")
                continue
            add = self.parts[2]
            n = (y1 - y0) * self.row_b
            lines.append(f"tm_conv_eval_rows(&l{b.index}_params, {win}, {r0}, {chunk}, {y0}, {y1});")
            ins = [chunk, at(self.other, y0 * self.row_b)]
            if not self.b_first:
                ins.reverse()
            lines.append(f"tm_elementwise_add(&l{add.index}_params_{n}, {ins[0]}, {ins[1]}, "
                         f"{at(add.output, y0 * self.row_b)});")
        return "\n  ".join(lines)


def _param_view(layer: Layer, name: str | None = None, **override) -> dict:
    fields = dict(layer.fields)
    fields.update(override)
    return dict(name=name or f"l{layer.index}_params", index=layer.index, op=layer.op, ptype=layer.ptype,
                fields=fields, macs=layer.macs)


def _candidates(graph: Graph, layers: list[Layer]):
    """(A, B, ADD or None) chains that may be streamed."""
    readers: dict[int, list[Layer]] = {}
    for layer in layers:
        for t in layer.inputs:
            readers.setdefault(t, []).append(layer)
    outs = set(graph.outputs)
    used: set[int] = set()
    for a in layers:
        rd = readers.get(a.output, [])
        if a.func != "tm_conv_eval" or a.output in outs or len(rd) != 1 or rd[0].func != "tm_conv_eval":
            continue
        b = rd[0]
        rb = readers.get(b.output, [])
        add = rb[0] if len(rb) == 1 and rb[0].func == "tm_elementwise_add" and b.output not in outs else None
        if add is not None and (not add.fields["contiguous"] or add.inputs[0] == add.inputs[1]
                                or graph.tensors[[t for t in add.inputs if t != b.output][0]].is_const):
            add = None
        chain = [a, b] + ([add] if add else [])
        if used & {l.index for l in chain}:
            continue
        used |= {l.index for l in chain}
        yield chain


def stream(chain: list[Layer]) -> Stream:
    """The streamed layer for a chain from _candidates."""
    a, b = chain[0], chain[1]
    add = chain[2] if len(chain) == 3 else None
    fa, fb = a.fields, b.fields
    row_a, row_b = fa["out_w"] * fa["out_c"], fb["out_w"] * fb["out_c"]
    h_in, h_out = fb["in_h"], fb["out_h"]
    sh, pt, kh, dh = fb["stride_h"], fb["pad_top"], fb["k_h"], fb["dil_h"]
    tile = kernel_sizes.conv_pixels_per_step()
    n = next((k for k in (1, 2, 3) if k * fb["out_w"] % tile == 0), 1)  # whole tiles if the window stays small
    steps, w0, w1 = [], 0, 0
    for y0 in range(0, h_out, n):
        y1 = min(h_out, y0 + n)
        r0 = min(max(0, y0 * sh - pt), h_in)
        r1 = max(r0, min(h_in, (y1 - 1) * sh - pt + (kh - 1) * dh + 1))
        a0 = max(r0, w1)
        steps.append((r0, w0, w1, a0, max(r1, a0), y0, y1))
        w0, w1 = r0, max(r1, a0)
    window = _align(max(s[4] - s[0] for s in steps) * row_a)
    chunk = _align(n * row_b) if add else 0
    other = -1
    lag = {}
    x = a.inputs[0]
    sa, pa = a.fields["stride_h"], a.fields["pad_top"]
    if add is not None:
        other = [t for t in add.inputs if t != b.output][0]
    # Bytes written up to each step vs. the first byte of A's input read later.
    row_x = a.fields["in_w"] * a.fields["in_c"]
    reads = [min([max(0, s[3] * sa - pa) * row_x for s in steps[i + 1:] if s[4] > s[3]]
                 + ([steps[i + 1][5] * row_x] if other == x and i + 1 < len(steps) else []), default=None)
             for i in range(len(steps))]
    ahead = [s[6] * row_b - r for s, r in zip(steps, reads) if r is not None]
    lag[x] = max(ahead + ([0] if other == x else []), default=0)
    if add is not None and other != x:
        lag[other] = 0
    last = chain[-1]
    inputs = [x] + ([other] if add is not None and other != x else [])
    return Stream(last.index, "+".join(l.op for l in chain), "", inputs=inputs, output=last.output, call="stream",
                  lag=lag, scratch=window + chunk + max(a.scratch, b.scratch), macs=sum(l.macs for l in chain),
                  parts=chain, steps=steps, row_a=row_a, row_b=row_b, window=window, chunk=chunk, other=other,
                  b_first=add is None or add.inputs[0] == b.output)


def _fused(layers: list[Layer], chain: list[Layer]) -> list[Layer]:
    ids = {id(l) for l in chain}
    s = stream(chain)
    out = []
    for layer in layers:
        if layer is chain[-1]:
            out.append(s)
        elif id(layer) not in ids:
            out.append(layer)
    return out


def _orders(layers: list[Layer]) -> list[list[Layer]]:
    """Topological orders, the given one first, at most ORDERS."""
    if len(layers) > MAX_LAYERS_REORDERED:
        return [layers]
    producer = {t: i for i, l in enumerate(layers) for t in [l.output] + l.extra_outputs}
    deps = [{producer[t] for t in l.inputs if t in producer} for l in layers]
    found: list[list[int]] = []
    seq: list[int] = []
    done: set[int] = set()

    def walk():
        if len(seq) == len(layers):
            found.append(list(seq))
            return
        for i in range(len(layers)):
            if len(found) >= ORDERS:
                return
            if i not in done and deps[i] <= done:
                done.add(i)
                seq.append(i)
                walk()
                seq.pop()
                done.remove(i)

    walk()
    return [[layers[i] for i in order] for order in found]


def _best_order(graph: Graph, layers: list[Layer]) -> tuple[list[Layer], Memory, Plan]:
    best = None
    for order in _orders(layers):
        mem = assign_memory(graph, order)
        p = plan(mem.buffers)
        if best is None or p.peak < best[2].peak:
            best = (order, mem, p)
    return best


def schedule(graph: Graph, layers: list[Layer], fuse: bool = True) -> tuple[list[Layer], Memory, Plan]:
    """Execution order (with streamed chains unless `fuse` is False: a validation build needs every layer's
    output whole), its buffers and their plan."""
    best = _best_order(graph, layers)
    for chain in list(_candidates(graph, layers)) if fuse else []:
        trial = _best_order(graph, _fused(best[0], chain))
        if trial[2].peak < best[2].peak:
            best = trial
    return best
