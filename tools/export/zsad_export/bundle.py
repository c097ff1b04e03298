"""Writes a detector bundle folder exactly as src/Inference/Bundles/BundleLoader reads it (docs/bundle-format.md):
manifest.json, encoder.onnx, float32 little-endian tensor files, and a sha256 for every file the manifest uses."""
import hashlib
import json
import os

import numpy as np

from .model import export_onnx

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

# Per method: the head settings DETECTORS.md records. The C# heads check a manifest against these.
METHOD_SETTINGS = {
    "vand": dict(temperature=0.01, mapOrder="upsample-then-softmax", upsampleAlignCorners=True, layerReduction="sum",
                 smoothingSigma=0, imageScore="global-softmax"),
    "anomalyclip": dict(temperature=0.07, mapOrder="softmax-then-upsample", upsampleAlignCorners=False,
                        layerReduction="sum", smoothingSigma=4, imageScore="global-softmax"),
    "anovl": dict(temperature=1.0, mapOrder="softmax-then-upsample", upsampleAlignCorners=True, layerReduction="sum",
                  smoothingSigma=0, imageScore="global-softmax"),
    "mediclip": dict(temperature=1.0, mapOrder="upsample-then-softmax", upsampleAlignCorners=True,
                     layerReduction="mean", smoothingSigma=0, imageScore="max-map"),
    "adaclip": dict(temperature=0.01, mapOrder="upsample-then-softmax", upsampleAlignCorners=True,
                    layerReduction="mean", smoothingSigma=4, imageScore="hybrid-semantic-fusion"),
    "mvfa": dict(temperature=0.01, mapOrder="upsample-then-softmax", upsampleAlignCorners=True, layerReduction="sum",
                 smoothingSigma=0, imageScore="max-map"),
    # WinCLIP fuses probabilities on the patch grid and upsamples once (zqhang: bilinear, align_corners False);
    # "mean": the few-shot terms of the scales and layers are averaged.
    "winclip": dict(temperature=0.01, mapOrder="softmax-then-upsample", upsampleAlignCorners=False,
                    layerReduction="mean", smoothingSigma=0, imageScore="global-softmax"),
}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_f32(path, tensor):
    np.ascontiguousarray(tensor.detach().cpu().numpy() if hasattr(tensor, "detach") else tensor,
                         dtype="<f4").tofile(path)


def write_bundle(folder, model, method, name, backbone, weights, text, layer_dims, adapters=None, memory=None,
                 mean=CLIP_MEAN, std=CLIP_STD, resize="bicubic", image_score=None, grid=None, text_output=None, embed_dim=None,
                 prompt_embeddings=None, test_time_adapter=None, grids=None, opset=14):
    """adapters: {layer name: (weight [D, W], bias [D] or None)}; memory: [M, sum of layer dims] or None.
    text None with text_output: the encoder yields per-image text features [N, 2, D] under that output name
    (AdaCLIP) and embed_dim gives D. prompt_embeddings [P, D] + test_time_adapter {steps, lr, noiseStd,
    weightDecay}: AnoVL's test-time adapter. grids: one grid per layer where they differ (a ResNet's stages).
    opset: export_onnx's (17 for an encoder fp16.py will convert)."""
    os.makedirs(folder, exist_ok=True)
    export_onnx(model, os.path.join(folder, "encoder.onnx"), opset=opset)
    if text is not None:
        write_f32(os.path.join(folder, "text_features.f32"), text)
    names = model.output_names()
    layers = [{"name": f"layer{k}", "output": names[i], "grid": grids[i] if grids else grid or model.grid,
               "dim": layer_dims[i]}
              for i, k in enumerate(model.out_layers)]
    manifest = {
        "schemaVersion": 1, "name": name, "method": method, "backbone": backbone, "weights": weights,
        "input": {"size": model.size, "resize": resize, "alignCorners": False, "mean": list(mean), "std": list(std)},
        "embedDim": int(text.shape[-1] if text is not None else embed_dim), "layers": layers, "globalOutput": "global",
        **METHOD_SETTINGS[method],
        "encoder": "encoder.onnx",
    }
    used = [manifest["encoder"]]
    if text is not None:
        manifest["textFeatures"] = {"path": "text_features.f32", "shape": list(text.shape)}
        used.append("text_features.f32")
    if text_output:
        manifest["textOutput"] = text_output
    if prompt_embeddings is not None:
        write_f32(os.path.join(folder, "prompt_embeddings.f32"), prompt_embeddings)
        manifest["promptEmbeddings"] = {"path": "prompt_embeddings.f32", "shape": list(prompt_embeddings.shape)}
        used.append("prompt_embeddings.f32")
    if test_time_adapter:
        manifest["testTimeAdapter"] = dict(test_time_adapter)
    if image_score:
        manifest["imageScore"] = image_score
    if adapters:
        manifest["adapters"] = []
        for lname, (w, b) in adapters.items():
            write_f32(os.path.join(folder, f"adapter_{lname}_weight.f32"), w)
            manifest["adapters"].append({"name": f"{lname}.weight", "path": f"adapter_{lname}_weight.f32",
                                         "shape": list(w.shape)})
            if b is not None:
                write_f32(os.path.join(folder, f"adapter_{lname}_bias.f32"), b)
                manifest["adapters"].append({"name": f"{lname}.bias", "path": f"adapter_{lname}_bias.f32",
                                             "shape": list(b.shape)})
    if memory is not None:
        write_f32(os.path.join(folder, "memory_bank.f32"), memory)
        manifest["memoryBank"] = {"path": "memory_bank.f32", "shape": list(memory.shape)}
    used += [a["path"] for a in manifest.get("adapters", [])]
    if memory is not None:
        used.append("memory_bank.f32")
    manifest["files"] = {p: sha256(os.path.join(folder, p)) for p in used}
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return manifest
