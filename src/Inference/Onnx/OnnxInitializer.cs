namespace Zsad.Inference.Onnx;

/// <summary>An initializer's name, shape and element type, with where its encoded TensorProto lies in the model
/// bytes so its values are decoded only when asked for.</summary>
public sealed record OnnxInitializer(string Name, IReadOnlyList<long> Dims, int DataType, int Offset, int Length);
