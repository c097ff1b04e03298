namespace Zsad.Inference.Onnx;

/// <summary>A malformed or unsupported ONNX file; the message names the byte offset or the element at fault.</summary>
public sealed class OnnxFormatException(string message) : Exception(message);
