using System.Runtime.InteropServices;

namespace Zsad.Inference.Onnx;

/// <summary>A read-only view of an ONNX ModelProto: the graph's nodes, initializers, inputs and outputs, read with
/// <see cref="ProtoReader"/> from just the fields this project needs (onnx.proto field numbers below).</summary>
public sealed class OnnxModel
{
    // ModelProto.graph; GraphProto.node/initializer/input/output; NodeProto.input/output/name/op_type;
    // TensorProto.dims/data_type/float_data/name/raw_data; ValueInfoProto.name.
    internal const int ModelGraph = 7;
    internal const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorName = 8, TensorRawData = 9;
    internal const int ValueInfoName = 1;
    public const int FloatDataType = 1;

    private readonly byte[] _bytes;
    private readonly Dictionary<string, OnnxInitializer> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]?> _shapes = new(StringComparer.Ordinal);

    public OnnxModel(byte[] bytes)
    {
        _bytes = bytes;
        var model = new ProtoReader(bytes);
        var found = false;
        while (model.Read(out var f))
        {
            if (f.Number != ModelGraph || f.WireType != ProtoWireType.LengthDelimited)
                continue;
            found = true;
            ParseGraph(f.Offset, f.Length);
        }
        if (!found)
            throw new OnnxFormatException("the file holds no ModelProto.graph (is it an ONNX model?)");
        GraphInputs = AllInputs.Where(n => !_initializers.ContainsKey(n)).ToList();
    }

    public static OnnxModel Load(string path) => new(File.ReadAllBytes(path));

    public byte[] Bytes => _bytes;

    public List<OnnxNode> Nodes { get; } = [];

    public IReadOnlyDictionary<string, OnnxInitializer> Initializers => _initializers;

    /// <summary>Graph inputs that are not initializers: what a caller must feed.</summary>
    public IReadOnlyList<string> GraphInputs { get; }

    public List<string> GraphOutputs { get; } = [];

    private List<string> AllInputs { get; } = [];

    /// <summary>The values of a float initializer, from raw_data or float_data.</summary>
    public float[] ReadFloats(string initializerName)
    {
        if (!_initializers.TryGetValue(initializerName, out var init))
            throw new OnnxFormatException($"no initializer named '{initializerName}'");
        if (init.DataType != FloatDataType)
            throw new OnnxFormatException($"initializer '{initializerName}' has data type {init.DataType}, not float");
        var reader = new ProtoReader(_bytes.AsSpan(init.Offset, init.Length));
        var floats = new List<float>();
        while (reader.Read(out var f))
        {
            if (f.Number == TensorRawData)
                return MemoryMarshal.Cast<byte, float>(reader.Payload(f)).ToArray(); // ONNX raw_data is little-endian, as is every host .NET runs on here
            if (f.Number == TensorFloatData)
            {
                if (f.WireType == ProtoWireType.Fixed32)
                    floats.Add(f.Single);
                else
                    floats.AddRange(MemoryMarshal.Cast<byte, float>(reader.Payload(f)).ToArray());
            }
        }
        return floats.ToArray();
    }

    /// <summary>The declared shape of a graph input: -1 for a symbolic or missing dimension; null when no shape is declared.</summary>
    public long[]? InputShape(string input) => _shapes.TryGetValue(input, out var s) ? s : null;

    /// <summary>The node that writes <paramref name="tensor"/>, or null for graph inputs and initializers.</summary>
    public OnnxNode? Producer(string tensor) => Nodes.FirstOrDefault(n => n.Outputs.Contains(tensor));

    private void ParseGraph(int offset, int length)
    {
        var graph = new ProtoReader(_bytes.AsSpan(offset, length));
        while (graph.Read(out var f))
        {
            switch (f.Number)
            {
                case GraphNode:
                    Nodes.Add(ParseNode(graph.Payload(f)));
                    break;
                case GraphInitializer:
                    var init = ParseInitializer(graph.Payload(f), offset + f.Offset, f.Length);
                    _initializers[init.Name] = init;
                    break;
                case GraphInput:
                    var name = ValueInfoNameOf(graph.Payload(f));
                    AllInputs.Add(name);
                    _shapes[name] = ShapeOf(graph.Payload(f));
                    break;
                case GraphOutput:
                    GraphOutputs.Add(ValueInfoNameOf(graph.Payload(f)));
                    break;
            }
        }
    }

    internal static string ValueInfoNameOf(ReadOnlySpan<byte> valueInfo)
    {
        var r = new ProtoReader(valueInfo);
        while (r.Read(out var f))
            if (f.Number == ValueInfoName)
                return r.String(f);
        return "";
    }

    // ValueInfoProto.type(2).tensor_type(1).shape(2).dim(1).dim_value(1)
    private static long[]? ShapeOf(ReadOnlySpan<byte> valueInfo)
    {
        var shape = Child(Child(Child(valueInfo, 2), 1), 2, out var found);
        if (!found)
            return null;
        var dims = new List<long>();
        var r = new ProtoReader(shape);
        while (r.Read(out var f))
        {
            if (f.Number != 1)
                continue;
            var d = new ProtoReader(r.Payload(f));
            long value = -1;
            while (d.Read(out var df))
                if (df.Number == 1 && df.WireType == ProtoWireType.Varint)
                    value = df.Int64;
            dims.Add(value);
        }
        return dims.ToArray();
    }

    private static ReadOnlySpan<byte> Child(ReadOnlySpan<byte> message, int number) => Child(message, number, out _);

    private static ReadOnlySpan<byte> Child(ReadOnlySpan<byte> message, int number, out bool found)
    {
        var r = new ProtoReader(message);
        while (r.Read(out var f))
        {
            if (f.Number == number && f.WireType == ProtoWireType.LengthDelimited)
            {
                found = true;
                return r.Payload(f);
            }
        }
        found = false;
        return default;
    }

    private static OnnxNode ParseNode(ReadOnlySpan<byte> payload)
    {
        var r = new ProtoReader(payload);
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "", op = "";
        while (r.Read(out var f))
        {
            switch (f.Number)
            {
                case NodeInput: inputs.Add(r.String(f)); break;
                case NodeOutput: outputs.Add(r.String(f)); break;
                case NodeName: name = r.String(f); break;
                case NodeOpType: op = r.String(f); break;
            }
        }
        return new OnnxNode(name, op, inputs, outputs);
    }

    private static OnnxInitializer ParseInitializer(ReadOnlySpan<byte> payload, int absoluteOffset, int length)
    {
        var r = new ProtoReader(payload);
        var dims = new List<long>();
        var name = "";
        var type = 0;
        while (r.Read(out var f))
        {
            switch (f.Number)
            {
                case TensorDims: ProtoReader.AddInt64s(f, payload, dims); break;
                case TensorDataType: type = (int)f.Value; break;
                case TensorName: name = r.String(f); break;
            }
        }
        return new OnnxInitializer(name, dims, type, absoluteOffset, length);
    }
}
