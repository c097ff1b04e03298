using System.Text.Json.Serialization;
using Zsad.Training.Data;

namespace Zsad.Training;

/// <summary>The trainer's own records (checkpoint state.json, feature cache.json) with System.Text.Json's default
/// options, source-generated for trimmed publishes.</summary>
[JsonSerializable(typeof(Checkpoint))]
[JsonSerializable(typeof(FeatureCache.Index))]
internal sealed partial class TrainingJsonContext : JsonSerializerContext;
