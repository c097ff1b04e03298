using System.Net;

namespace Zsad.Dicom.Network;

/// <summary>One instance received by C-STORE, ready to become a Part 10 file: the command's UIDs, the accepted
/// transfer syntax and the dataset bytes exactly as received. <see cref="DatasetBytes"/> and
/// <see cref="Dataset"/> are valid only until the storage callback returns.</summary>
public sealed class ReceivedInstance
{
    internal ReceivedInstance(string sopClassUid, string sopInstanceUid, TransferSyntax transferSyntax, ReadOnlyMemory<byte> datasetBytes,
        DicomDataset? dataset, string callingAE, string calledAE, EndPoint? remoteEndPoint, string associationId)
    {
        SopClassUid = sopClassUid;
        SopInstanceUid = sopInstanceUid;
        TransferSyntax = transferSyntax;
        DatasetBytes = datasetBytes;
        Dataset = dataset;
        CallingAE = callingAE;
        CalledAE = calledAE;
        RemoteEndPoint = remoteEndPoint;
        AssociationId = associationId;
    }

    public string SopClassUid { get; }
    /// <summary>From the C-STORE-RQ; checked by the SCP to be a valid UID, so safe as a file name.</summary>
    public string SopInstanceUid { get; }
    public TransferSyntax TransferSyntax { get; }
    /// <summary>The dataset in <see cref="TransferSyntax"/>; for Deflated syntax still deflated, as on the wire.</summary>
    public ReadOnlyMemory<byte> DatasetBytes { get; }
    /// <summary>The parsed dataset when the SCP parses datasets (<see cref="DicomServerOptions.ParseDatasets"/>).</summary>
    public DicomDataset? Dataset { get; }
    public string CallingAE { get; }
    public string CalledAE { get; }
    public EndPoint? RemoteEndPoint { get; }
    public string AssociationId { get; }

    public long Part10Length => Part10Header.Length + DatasetBytes.Length;

    private byte[]? _header;
    internal byte[] Part10Header => _header ??= Part10.BuildHeader(SopClassUid, SopInstanceUid, TransferSyntax, CallingAE);

    /// <summary>Preamble, "DICM" and the meta group that precede <see cref="DatasetBytes"/> in the Part 10 file.</summary>
    public ReadOnlySpan<byte> Part10HeaderBytes => Part10Header;

    /// <summary>Writes the Part 10 file: meta from the command UIDs and accepted syntax, dataset bytes unchanged.</summary>
    public async ValueTask WritePart10Async(Stream stream, CancellationToken cancellationToken = default)
    {
        await stream.WriteAsync(Part10Header, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(DatasetBytes, cancellationToken).ConfigureAwait(false);
    }

    public byte[] ToPart10Bytes()
    {
        var bytes = new byte[Part10Length];
        Part10Header.CopyTo(bytes, 0);
        DatasetBytes.Span.CopyTo(bytes.AsSpan(Part10Header.Length));
        return bytes;
    }
}
