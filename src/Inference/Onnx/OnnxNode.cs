namespace Zsad.Inference.Onnx;

/// <summary>A graph node as far as output editing needs it: its name, operator and tensor names.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);
