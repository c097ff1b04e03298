namespace Zsad.Inference.Onnx;

/// <summary>The stage outputs of a ResNet-style graph: the last Relu with each channel count (ResNet18: 64, 128,
/// 256 and 512 channels at strides 4, 8, 16 and 32). Channel counts are read from the weights of the Conv that
/// feeds each Relu, through BatchNormalization and Add, so no shape inference is needed.</summary>
public static class FeatureStages
{
    public static IReadOnlyList<(string Tensor, int Channels)> Find(OnnxModel model)
    {
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in model.Nodes)
            foreach (var o in n.Outputs)
                producers[o] = n;

        int Channels(string tensor, int depth)
        {
            if (depth > 64 || !producers.TryGetValue(tensor, out var node))
                return -1;
            if (node.OpType == "Conv" && node.Inputs.Count > 1 && model.Initializers.TryGetValue(node.Inputs[1], out var w) && w.Dims.Count == 4)
                return (int)w.Dims[0];
            return node.Inputs.Count > 0 ? Channels(node.Inputs[0], depth + 1) : -1;
        }

        var lastByChannels = new Dictionary<int, string>();
        var order = new List<int>();
        foreach (var node in model.Nodes)
        {
            if (node.OpType != "Relu")
                continue;
            var c = Channels(node.Inputs[0], 0);
            if (c <= 0)
                continue;
            if (!lastByChannels.ContainsKey(c))
                order.Add(c);
            lastByChannels[c] = node.Outputs[0];
        }
        return order.Select(c => (lastByChannels[c], c)).ToList();
    }
}
