namespace Zsad.Inference.Engine;

public enum ExecutionProviderKind
{
    Cpu,
    Cuda,
}
