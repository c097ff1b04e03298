using Zsad.Inference.Onnx;

namespace Zsad.Inference.Tests.Support;

/// <summary>Writes a minimal ONNX model from C#: one float input [N, 3, size, size] copied by Identity nodes to each
/// named output. Enough for bundle validation and for the engine's provider handling.</summary>
public static class TinyOnnx
{
    public static byte[] IdentityModel(int size, params string[] outputs)
    {
        var graph = new ProtoWriter();
        foreach (var o in outputs)
        {
            var node = new ProtoWriter();
            node.WriteStringField(1, "pixels");
            node.WriteStringField(2, o);
            node.WriteStringField(3, $"copy_{o}");
            node.WriteStringField(4, "Identity");
            graph.WriteBytesField(1, node.WrittenSpan);
        }
        graph.WriteStringField(2, "tiny");
        graph.WriteBytesField(11, ValueInfo("pixels", size));
        foreach (var o in outputs)
            graph.WriteBytesField(12, ValueInfo(o, size));
        var opset = new ProtoWriter();
        opset.WriteStringField(1, "");
        opset.WriteVarintField(2, 13);
        var model = new ProtoWriter();
        model.WriteVarintField(1, 8);
        model.WriteBytesField(8, opset.WrittenSpan);
        model.WriteBytesField(7, graph.WrittenSpan);
        return model.ToArray();
    }

    private static byte[] ValueInfo(string name, int size)
    {
        var shape = new ProtoWriter();
        var batch = new ProtoWriter();
        batch.WriteStringField(2, "N");
        shape.WriteBytesField(1, batch.WrittenSpan);
        foreach (var d in new[] { 3, size, size })
        {
            var dim = new ProtoWriter();
            dim.WriteVarintField(1, (ulong)d);
            shape.WriteBytesField(1, dim.WrittenSpan);
        }
        var tensor = new ProtoWriter();
        tensor.WriteVarintField(1, 1);
        tensor.WriteBytesField(2, shape.WrittenSpan);
        var type = new ProtoWriter();
        type.WriteBytesField(1, tensor.WrittenSpan);
        var info = new ProtoWriter();
        info.WriteStringField(1, name);
        info.WriteBytesField(2, type.WrittenSpan);
        return info.ToArray();
    }
}
