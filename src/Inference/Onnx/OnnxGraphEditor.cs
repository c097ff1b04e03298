namespace Zsad.Inference.Onnx;

/// <summary>Edits a model's graph outputs at load time, so intermediate feature maps come out of one run, and
/// makes the batch dimension symbolic, so slices can be batched through a graph exported with batch 1. Every
/// other field (nodes, initializers, opsets) is copied byte for byte.</summary>
public static class OnnxGraphEditor
{
    private const int TypeTensor = 1, TensorElemType = 1, TensorShape = 2, ShapeDim = 1, DimParam = 2;
    private const int ValueInfoType = 2;

    /// <param name="model">The encoded ModelProto.</param>
    /// <param name="extraOutputs">Tensor names to add as float graph outputs (shapes left for ONNX Runtime to infer).</param>
    /// <param name="batchDim">The symbolic name given to the first dimension of inputs and outputs.</param>
    public static byte[] ExposeOutputs(byte[] model, IReadOnlyList<string> extraOutputs, string batchDim = "N")
    {
        var parsed = new OnnxModel(model);
        var known = new HashSet<string>(parsed.Nodes.SelectMany(n => n.Outputs), StringComparer.Ordinal);
        foreach (var name in extraOutputs)
            if (!known.Contains(name))
                throw new OnnxFormatException($"no node produces a tensor named '{name}'");
        var initializers = parsed.Initializers;

        var result = new ProtoWriter(model.Length + 4096);
        var reader = new ProtoReader(model);
        while (reader.Read(out var f))
        {
            if (f.Number != OnnxModel.ModelGraph)
            {
                result.WriteRaw(reader.Raw(f));
                continue;
            }
            var graph = new ProtoWriter(f.Length + 4096);
            var g = new ProtoReader(reader.Payload(f));
            var existingOutputs = new HashSet<string>(StringComparer.Ordinal);
            while (g.Read(out var gf))
            {
                switch (gf.Number)
                {
                    case OnnxModel.GraphValueInfo:
                        // Recorded intermediate shapes carry batch 1; dropping them lets shape inference follow the symbolic batch.
                        break;
                    case OnnxModel.GraphInput:
                    {
                        var payload = g.Payload(gf);
                        if (initializers.ContainsKey(OnnxModel.ValueInfoNameOf(payload)))
                            graph.WriteRaw(g.Raw(gf));
                        else
                            graph.WriteBytesField(OnnxModel.GraphInput, SymbolicBatch(payload, batchDim));
                        break;
                    }
                    case OnnxModel.GraphOutput:
                    {
                        var payload = g.Payload(gf);
                        existingOutputs.Add(OnnxModel.ValueInfoNameOf(payload));
                        graph.WriteBytesField(OnnxModel.GraphOutput, SymbolicBatch(payload, batchDim));
                        break;
                    }
                    default:
                        graph.WriteRaw(g.Raw(gf));
                        break;
                }
            }
            foreach (var name in extraOutputs)
                if (existingOutputs.Add(name))
                    graph.WriteBytesField(OnnxModel.GraphOutput, FloatValueInfo(name));
            result.WriteBytesField(OnnxModel.ModelGraph, graph.WrittenSpan);
        }
        return result.ToArray();
    }

    private static byte[] FloatValueInfo(string name)
    {
        var tensor = new ProtoWriter();
        tensor.WriteVarintField(TensorElemType, OnnxModel.FloatDataType);
        var type = new ProtoWriter();
        type.WriteBytesField(TypeTensor, tensor.WrittenSpan);
        var info = new ProtoWriter();
        info.WriteStringField(OnnxModel.ValueInfoName, name);
        info.WriteBytesField(ValueInfoType, type.WrittenSpan);
        return info.ToArray();
    }

    // ValueInfoProto.type.tensor_type.shape.dim[0] := dim_param; every other byte is kept.
    private static byte[] SymbolicBatch(ReadOnlySpan<byte> valueInfo, string batchDim)
        => Rewrite(valueInfo, ValueInfoType, type => Rewrite(type, TypeTensor, tensor => Rewrite(tensor, TensorShape, shape => FirstDim(shape, batchDim))));

    private static byte[] Rewrite(ReadOnlySpan<byte> message, int fieldNumber, Func<byte[], byte[]> change)
    {
        var w = new ProtoWriter(message.Length + 16);
        var r = new ProtoReader(message);
        while (r.Read(out var f))
        {
            if (f.Number == fieldNumber && f.WireType == ProtoWireType.LengthDelimited)
                w.WriteBytesField(fieldNumber, change(r.Payload(f).ToArray()));
            else
                w.WriteRaw(r.Raw(f));
        }
        return w.ToArray();
    }

    private static byte[] FirstDim(byte[] shape, string batchDim)
    {
        var w = new ProtoWriter(shape.Length + 16);
        var r = new ProtoReader(shape);
        var first = true;
        while (r.Read(out var f))
        {
            if (first && f.Number == ShapeDim)
            {
                first = false;
                var dim = new ProtoWriter();
                dim.WriteStringField(DimParam, batchDim);
                w.WriteBytesField(ShapeDim, dim.WrittenSpan);
                continue;
            }
            w.WriteRaw(r.Raw(f));
        }
        return w.ToArray();
    }
}
