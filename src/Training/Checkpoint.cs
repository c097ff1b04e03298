using System.Runtime.InteropServices;
using System.Text.Json;

namespace Zsad.Training;

/// <summary>The state after a finished epoch: current and best parameters, Adam's moments and step, the history,
/// and the key of the run (options, data and bundle) it belongs to. Written to a temporary folder and renamed, so
/// a crash leaves the previous checkpoint whole.</summary>
public sealed class Checkpoint
{
    public required string RunKey { get; init; }
    public required int Epoch { get; init; }
    public required int AdamStep { get; init; }
    public required int BestEpoch { get; init; }
    public required double BestDice { get; init; }
    public required List<EpochResult> History { get; init; }

    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<float[]> Parameters { get; init; } = [];
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<float[]> Best { get; init; } = [];
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<float[]> FirstMoments { get; init; } = [];
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<float[]> SecondMoments { get; init; } = [];

    public void Save(string folder)
    {
        var temporary = folder + ".tmp";
        if (Directory.Exists(temporary))
            Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        File.WriteAllText(Path.Combine(temporary, "state.json"), JsonSerializer.Serialize(this, TrainingJsonContext.Default.Checkpoint));
        Write(Path.Combine(temporary, "parameters.f32"), Parameters);
        Write(Path.Combine(temporary, "best.f32"), Best);
        Write(Path.Combine(temporary, "adam_m.f32"), FirstMoments);
        Write(Path.Combine(temporary, "adam_v.f32"), SecondMoments);
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        Directory.Move(temporary, folder);
    }

    /// <summary>The checkpoint in <paramref name="folder"/>, or null when there is none.</summary>
    public static Checkpoint? Load(string folder, IReadOnlyList<int> sizes)
    {
        var state = Path.Combine(folder, "state.json");
        if (!File.Exists(state))
            return null;
        var c = JsonSerializer.Deserialize(File.ReadAllText(state), TrainingJsonContext.Default.Checkpoint) ?? throw new TrainingException($"checkpoint {folder}: state.json is empty");
        return new Checkpoint
        {
            RunKey = c.RunKey, Epoch = c.Epoch, AdamStep = c.AdamStep, BestEpoch = c.BestEpoch, BestDice = c.BestDice, History = c.History,
            Parameters = Read(Path.Combine(folder, "parameters.f32"), sizes),
            Best = Read(Path.Combine(folder, "best.f32"), sizes),
            FirstMoments = Read(Path.Combine(folder, "adam_m.f32"), sizes),
            SecondMoments = Read(Path.Combine(folder, "adam_v.f32"), sizes),
        };
    }

    private static void Write(string path, IReadOnlyList<float[]> tensors)
    {
        using var file = File.Create(path);
        foreach (var t in tensors)
            file.Write(MemoryMarshal.AsBytes(t.AsSpan()));
        file.Flush(flushToDisk: true);
    }

    private static float[][] Read(string path, IReadOnlyList<int> sizes)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != sizes.Sum() * sizeof(float))
            throw new TrainingException($"checkpoint {path}: {bytes.Length} bytes, the head needs {sizes.Sum() * sizeof(float)}");
        var all = MemoryMarshal.Cast<byte, float>(bytes);
        var result = new float[sizes.Count][];
        var offset = 0;
        for (var i = 0; i < sizes.Count; i++)
        {
            result[i] = all.Slice(offset, sizes[i]).ToArray();
            offset += sizes[i];
        }
        return result;
    }
}

/// <summary>One epoch: mean training loss over its batches and the validation Dice and loss.</summary>
public sealed record EpochResult(int Epoch, double TrainLoss, double ValidationLoss, double ValidationDice);
