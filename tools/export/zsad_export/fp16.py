"""Converts an fp32 ONNX encoder to fp16 weights and activations while keeping its float32 interface: the graph
input is cast to float16 on entry and every float output back to float32 on exit, so OnnxEngine (float32 in and
out) runs either file unchanged.

Numerically sensitive ops: LayerNorm must be one LayerNormalization node (export at opset >= 17), whose stash_type
keeps mean and variance in float32. The opset-14 spelling (ReduceMean, Pow 2, Sqrt) squares the centred residual
stream in float16, which overflows (> 65504) once an activation exceeds 256 — real CLIP residual streams have such
outliers — so such graphs are refused rather than converted into one that returns inf. Softmax and the matmuls
accumulate in float32 in ONNX Runtime's CUDA kernels.

  python3 -m zsad_export.fp16 IN.onnx OUT.onnx
  python3 -m zsad_export.fp16 --tiny-pair DIR   (tiny random-weight encoder as DIR/fp32.onnx and DIR/fp16.onnx,
                                                  for tests/Zsad.Inference.Tests' fp16 test)"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FP16_MAX = float(np.finfo(np.float16).max)


def _to_fp16(tensor):
    values = numpy_helper.to_array(tensor)
    if np.abs(values).max(initial=0) > FP16_MAX:
        raise ValueError(f"tensor {tensor.name!r} holds values beyond float16's range ({FP16_MAX}): cannot convert")
    return numpy_helper.from_array(values.astype(np.float16), tensor.name)


def _refuse_decomposed_layernorm(graph):
    for node in graph.node:
        if node.op_type == "Pow":
            raise ValueError(f"node {node.name!r} (Pow): LayerNorm spelt out in ReduceMean/Pow/Sqrt would square "
                             "activations in float16 and overflow; export at opset 17 so that LayerNorm is one "
                             "LayerNormalization node")


def convert(model):
    """Returns a new ModelProto: float32 initializers, Constant tensors, Cast targets and intermediate values become
    float16; graph inputs and outputs stay float32 through Cast nodes."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    _refuse_decomposed_layernorm(graph)
    for i, tensor in enumerate(graph.initializer):
        if tensor.data_type == TensorProto.FLOAT:
            graph.initializer[i].CopyFrom(_to_fp16(tensor))
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type == TensorProto.FLOAT:
                attr.t.CopyFrom(_to_fp16(attr.t))
            elif node.op_type == "Cast" and attr.name == "to" and attr.i == TensorProto.FLOAT:
                attr.i = TensorProto.FLOAT16
    entry = []
    for value in graph.input:
        if value.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        half = value.name + "_fp16"
        for node in graph.node:
            node.input[:] = [half if n == value.name else n for n in node.input]
        entry.append(helper.make_node("Cast", [value.name], [half], name=half + "_cast", to=TensorProto.FLOAT16))
    exit_ = []
    for value in graph.output:
        if value.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        half = value.name + "_fp16"
        for node in graph.node:
            node.output[:] = [half if n == value.name else n for n in node.output]
            node.input[:] = [half if n == value.name else n for n in node.input]
        exit_.append(helper.make_node("Cast", [half], [value.name], name=value.name + "_cast", to=TensorProto.FLOAT))
    nodes = entry + list(graph.node) + exit_
    del graph.node[:]
    graph.node.extend(nodes)
    # Intermediate types were inferred for float32; infer them again from the converted graph.
    del graph.value_info[:]
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model, full_check=True)
    return model


def write_tiny_pair(folder):
    import os

    import torch

    from .model import ClipVisual, export_onnx

    torch.manual_seed(0)
    # ViT-L/14@240's structure (patch 14, exact GELU, four tapped layers) at a size a test runs in a second.
    model = ClipVisual(size=42, patch=14, width=64, layers=4, heads=4, embed=32, act="gelu", out_layers=(1, 2, 3, 4))
    os.makedirs(folder, exist_ok=True)
    fp32 = os.path.join(folder, "fp32.onnx")
    export_onnx(model, fp32, opset=17)
    onnx.save(convert(onnx.load(fp32)), os.path.join(folder, "fp16.onnx"))


def main(argv):
    if len(argv) == 2 and argv[0] == "--tiny-pair":
        write_tiny_pair(argv[1])
    elif len(argv) == 2:
        onnx.save(convert(onnx.load(argv[0])), argv[1])
    else:
        sys.exit("usage: python3 -m zsad_export.fp16 IN.onnx OUT.onnx | --tiny-pair DIR")


if __name__ == "__main__":
    main(sys.argv[1:])
