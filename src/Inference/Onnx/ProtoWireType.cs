namespace Zsad.Inference.Onnx;

/// <summary>Protocol-buffer wire types (the low 3 bits of a field key). Groups (3, 4) are never used by ONNX.</summary>
public enum ProtoWireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}
