using System.Buffers.Binary;
using System.IO.Compression;
using Zsad.Dicom;
using Zsad.Dicom.Network;

namespace Zsad.Reliability.Tests.Corpus;

/// <summary>Makes the committed corpus (Corpus/*.dcm, Corpus/series/*, Corpus/*.pdu and corpus.json). It ran once to
/// write the committed files; <see cref="CorpusTests"/> checks they are still what it makes, so a change to either is
/// deliberate. Everything is deterministic: UIDs come from names, pixels from seeds.</summary>
public static class CorpusGenerator
{
    public const string Study = "1.2.826.0.1.3680043.8.498.1";

    /// <summary>Relative path -> bytes of every corpus file, and the manifest entries naming them.</summary>
    public static (SortedDictionary<string, byte[]> Files, List<CorpusEntry> Entries) Generate()
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var entries = new List<CorpusEntry>();
        AddFiles(files, entries);
        AddSeries(files, entries);
        AddPdus(files, entries);
        return (files, entries);
    }

    /// <summary>A small valid MR instance (8x8 pixels) of the corpus's own series.</summary>
    public static DicomDataset Valid(string series = "a", int instance = 1)
    {
        var ds = TestImages.MrImage(rows: 8, columns: 8, seed: instance, seriesUid: DicomUid.FromName("zsad-corpus/series/" + series), instance: instance);
        ds.SetString(DicomTags.SOPInstanceUID, DicomUid.FromName($"zsad-corpus/instance/{series}/{instance}"));
        return ds;
    }

    public static byte[] ValidBytes(TransferSyntax? syntax = null) => new DicomFile(Valid(), TransferSyntax.ExplicitVRLittleEndian).ToBytes(syntax ?? TransferSyntax.ExplicitVRLittleEndian);

    private static void AddFiles(SortedDictionary<string, byte[]> files, List<CorpusEntry> entries)
    {
        var valid = ValidBytes();
        files["valid-explicit-le.dcm"] = valid;
        files["valid-implicit-le.dcm"] = ValidBytes(TransferSyntax.ImplicitVRLittleEndian);
        files["valid-deflated.dcm"] = ValidBytes(TransferSyntax.DeflatedExplicitVRLittleEndian);
        files["valid-big-endian.dcm"] = ValidBytes(TransferSyntax.ExplicitVRBigEndian);

        var pixelData = Find(valid, DicomTags.PixelData);
        var patientName = Find(valid, DicomTags.PatientName);
        var rows = Find(valid, DicomTags.Rows);

        void Malformed(string name, byte[] bytes, string wrong, string message, long? offset, string exception = nameof(DicomFormatException))
        {
            files[name] = bytes;
            entries.Add(new CorpusEntry { Name = name, Kind = "file", Wrong = wrong, Files = [name], Exception = exception, Message = message, Offset = offset });
        }

        Malformed("truncated-in-preamble.dcm", valid[..100], "only 100 bytes: the file ends inside the 128-byte preamble", "not a DICOM file", 0);
        Malformed("truncated-in-meta.dcm", valid[..160], "the file ends inside the file meta information", "truncated element tag: 4 bytes needed, 2 left", 158);
        Malformed("truncated-in-element-header.dcm", valid[..(patientName + 3)], "the file ends three bytes into the PatientName element header", "truncated element tag: 4 bytes needed, 3 left", 606);
        Malformed("truncated-in-pixel-data.dcm", valid[..(valid.Length - 20)], "the file ends 20 bytes before the end of Pixel Data's value", "(7FE0,0010) OW value length 128 runs past the end (108 bytes left)", 1148);

        var pastEnd = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(pastEnd.AsSpan(patientName + 6), 0xFFF0);
        Malformed("element-length-past-end.dcm", pastEnd, "PatientName's 16-bit length (65520) runs past the end of the file", "(0010,0010) PN value length 65520 runs past the end", 606);

        var badVr = (byte[])valid.Clone();
        badVr[patientName + 4] = (byte)'Z';
        badVr[patientName + 5] = (byte)'Z';
        Malformed("bad-vr.dcm", badVr, "PatientName's VR is 'ZZ', which is no VR", "invalid VR bytes 0x5A 0x5A for element (0010,0010)", 610);

        var controlVr = (byte[])valid.Clone();
        controlVr[patientName + 4] = 0x01;
        controlVr[patientName + 5] = 0x02;
        Malformed("control-bytes-vr.dcm", controlVr, "PatientName's VR is two control bytes", "invalid VR bytes 0x01 0x02 for element (0010,0010)", 610);

        var huge = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(pixelData + 8), 0xFFFFFFF0);
        Malformed("huge-length-pixel-data.dcm", huge, "Pixel Data (OW) declares 4294967280 bytes", "(7FE0,0010) OW value length 4294967280 runs past the end", 1148);

        var undefinedNative = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(undefinedNative.AsSpan(pixelData + 8), 0xFFFFFFFF);
        Malformed("undefined-length-native-pixel-data.dcm", undefinedNative, "Pixel Data has undefined length in a native (not encapsulated) syntax", "expected a fragment item in encapsulated (7FE0,0010), found (0000,0000)", 1160);

        // Rows (US) with a 3-byte value: the length is odd and not a multiple of the VR's size.
        var oddUs = valid[..(rows + 6)].Concat(new byte[] { 3, 0, 8, 0, 0 }).Concat(valid[(rows + 10)..]).ToArray();
        Malformed("odd-length-us.dcm", oddUs, "Rows (US) has a 3-byte value", "(0028,0010) US has odd value length 3", 1022);

        // Pixel Data one byte short with an odd length: 127 bytes for 8x8 16-bit pixels.
        var oddOw = valid[..^1];
        BinaryPrimitives.WriteUInt32LittleEndian(oddOw.AsSpan(pixelData + 8), (uint)(oddOw.Length - pixelData - 12));
        Malformed("odd-length-pixel-data.dcm", oddOw, "Pixel Data (OW) has an odd length (127 bytes)", "(7FE0,0010) OW has odd value length 127", 1148);

        Malformed("sequence-bomb.dcm", [.. valid[..pixelData], .. SequenceBomb(200)], "200 nested undefined-length sequences (a stack bomb)", "sequences nested deeper than 32 levels at (0040,A730)", 1788);

        var deflateHeader = Part10.BuildHeader(DicomUid.MRImageStorage, DicomUid.FromName("zsad-corpus/deflate-bomb"), TransferSyntax.DeflatedExplicitVRLittleEndian);
        Malformed("deflate-bomb.dcm", [.. deflateHeader, .. DeflateBombBody()], "a Deflated dataset of 24 KB that inflates to 24 MB of zeros (ratio over 1000)", "deflated dataset inflates past", 342);

        Malformed("ts-unknown.dcm", WithSyntax(valid, "1.2.3.4.5.6"), "TransferSyntaxUID is 1.2.3.4.5.6, which is no transfer syntax (read as encapsulated, so the native pixels are refused)", "Pixel Data is native (defined length) but Unknown transfer syntax 1.2.3.4.5.6 requires encapsulated fragments", null);
        Malformed("ts-implicit-data-explicit.dcm", WithSyntax(valid, TransferSyntax.ImplicitVRLittleEndian.Uid), "the meta says Implicit VR LE; the dataset is Explicit VR LE", "(0008,0008) CS value length 1463107 runs past the end", 338);
        Malformed("ts-big-endian-data-little.dcm", WithSyntax(valid, TransferSyntax.ExplicitVRBigEndian.Uid), "the meta says Explicit VR BE; the dataset is little endian", "(0800,0800) CS value length 5632 runs past the end", 340);
        Malformed("ts-jpeg-native-pixels.dcm", WithSyntax(valid, "1.2.840.10008.1.2.4.50"), "the meta says JPEG Baseline; Pixel Data is native (not encapsulated)", "Pixel Data is native (defined length) but JPEG Baseline (Process 1) requires encapsulated fragments", null);
        Malformed("not-dicom.dcm", "this is a README, not a DICOM file, but it sits in a DICOM folder\n"u8.ToArray(), "plain text", "not a DICOM file", 0);
    }

    private static void AddSeries(SortedDictionary<string, byte[]> files, List<CorpusEntry> entries)
    {
        void Series(string name, string wrong, string problem, params DicomDataset[] slices)
        {
            var names = new List<string>();
            for (var i = 0; i < slices.Length; i++)
            {
                var path = $"series/{name}/{i + 1:D2}.dcm";
                files[path] = new DicomFile(slices[i], TransferSyntax.ExplicitVRLittleEndian).ToBytes();
                names.Add(path);
            }
            entries.Add(new CorpusEntry { Name = name, Kind = "series", Wrong = wrong, Files = names, Exception = "DicomSeriesException", Problem = problem });
        }

        DicomDataset[] Stack(string series, int count) => [.. Enumerable.Range(1, count).Select(i => Valid(series, i))];

        var mixed = Stack("mixed-1", 2).Concat(Stack("mixed-2", 2).Select(d => { d.SetNumbers(DicomTags.ImagePositionPatient, -120, -110.5, 10 + d.GetInt(DicomTags.InstanceNumber)!.Value); return d; })).ToArray();
        Series("mixed-series", "two SeriesInstanceUIDs in one set", "MixedSeries", mixed);

        var noPosition = Stack("no-position", 3);
        noPosition[1].Remove(DicomTags.ImagePositionPatient);
        Series("missing-position", "the second slice has no ImagePositionPatient", "MissingPosition", noPosition);

        var noOrientation = Stack("no-orientation", 3);
        noOrientation[2].Remove(DicomTags.ImageOrientationPatient);
        Series("missing-orientation", "the third slice has no ImageOrientationPatient", "MissingOrientation", noOrientation);

        var noSpacing = Stack("no-spacing", 3);
        noSpacing[0].Remove(DicomTags.PixelSpacing);
        Series("missing-pixel-spacing", "the first slice has no PixelSpacing", "MissingPixelSpacing", noSpacing);

        var noPixels = Stack("no-pixels", 3);
        noPixels[1].Remove(DicomTags.PixelData);
        Series("missing-pixel-data", "the second slice has no Pixel Data", "MissingPixelData", noPixels);

        var sizes = Stack("sizes", 3);
        sizes[2] = TestImages.MrImage(rows: 8, columns: 6, seed: 3, seriesUid: sizes[0].GetString(DicomTags.SeriesInstanceUID), instance: 3);
        sizes[2].SetString(DicomTags.SOPInstanceUID, DicomUid.FromName("zsad-corpus/instance/sizes/3"));
        Series("mixed-sizes", "the third slice is 8x6, the others 8x8", "MixedSizes", sizes);

        var orientations = Stack("orientations", 3);
        orientations[1].SetNumbers(DicomTags.ImageOrientationPatient, 0, 1, 0, 0, 0, -1);
        Series("mixed-orientations", "the second slice is sagittal, the others axial", "MixedOrientations", orientations);

        var duplicate = Stack("duplicate", 3);
        duplicate[2].SetNumbers(DicomTags.ImagePositionPatient, -120, -110.5, 1.5 * 2);
        Series("duplicate-position", "two slices at the same position", "DuplicatePosition", duplicate);

        var gap = Stack("gap", 5);
        gap[4].SetNumbers(DicomTags.ImagePositionPatient, -120, -110.5, 1.5 * 6);
        gap[3].SetNumbers(DicomTags.ImagePositionPatient, -120, -110.5, 1.5 * 5);
        Series("missing-slice", "slice 4 of 6 is missing (positions 1.5, 3, 4.5, 7.5, 9)", "MissingSlices", gap);

        var badOrientation = Stack("bad-orientation", 3);
        foreach (var d in badOrientation)
            d.SetNumbers(DicomTags.ImageOrientationPatient, 1, 0, 0, 1, 0, 0);
        Series("degenerate-orientation", "row and column cosines are the same vector", "InvalidOrientation", badOrientation);
    }

    private static void AddPdus(SortedDictionary<string, byte[]> files, List<CorpusEntry> entries)
    {
        void Pdu(string name, byte[] bytes, string wrong, string response, bool afterAssociation = false)
        {
            files[name] = bytes;
            entries.Add(new CorpusEntry { Name = name, Kind = "pdu", Wrong = wrong, Files = [name], Response = response, AfterAssociation = afterAssociation });
        }

        var rq = AssociateRequest();
        Pdu("pdu-unknown-type.pdu", [0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0], "PDU type 0x09 does not exist", "A-ABORT source 2 reason 1");
        Pdu("pdu-data-before-association.pdu", EchoPdu(), "P-DATA-TF (a C-ECHO-RQ) before any A-ASSOCIATE-RQ", "A-ABORT source 2 reason 2");
        Pdu("pdu-oversized-header.pdu", [0x01, 0, 0xFF, 0xFF, 0xFF, 0xFF], "an A-ASSOCIATE-RQ header announcing 4 GiB", "A-ABORT source 2 reason 6");
        var shortLength = (byte[])rq.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(shortLength.AsSpan(2), (uint)(rq.Length - 6 - 20));
        Pdu("pdu-rq-length-too-short.pdu", shortLength[..^20], "A-ASSOCIATE-RQ whose PDU length cuts its last item short", "A-ABORT source 2 reason 6");
        var overrun = (byte[])rq.Clone();
        var pcItem = IndexOfItem(overrun, 0x20);
        BinaryPrimitives.WriteUInt16BigEndian(overrun.AsSpan(pcItem + 2), 0x7000);
        Pdu("pdu-rq-item-overrun.pdu", overrun, "a presentation context item whose length runs past the PDU", "A-ABORT source 2 reason 6");
        var evenId = (byte[])rq.Clone();
        evenId[pcItem + 4] = 2;
        Pdu("pdu-rq-even-context-id.pdu", evenId, "presentation context id 2 (ids are odd)", "A-ABORT source 2 reason 6");
        Pdu("pdu-rq-no-presentation-context.pdu", AssociateRequest(contexts: false), "A-ASSOCIATE-RQ without presentation contexts", "A-ABORT source 2 reason 6");
        Pdu("pdu-rq-bad-application-context.pdu", AssociateRequest(applicationContext: "1.2.3.4"), "an application context other than DICOM's", "A-ASSOCIATE-RJ result 1 source 1 reason 2");
        Pdu("pdu-rq-protocol-version-2.pdu", AssociateRequest(protocolVersion: 2), "protocol version 2 (only bit 0 is defined)", "A-ASSOCIATE-RJ result 1 source 2 reason 2");
        Pdu("pdu-rq-wrong-called-ae.pdu", AssociateRequest(calledAE: "NOT-ZSAD"), "called AE title NOT-ZSAD", "A-ASSOCIATE-RJ result 1 source 1 reason 7");
        var nonAscii = (byte[])rq.Clone();
        nonAscii[10 + 4] = 0xC3; // first byte of the calling AE title
        Pdu("pdu-rq-non-ascii-ae.pdu", nonAscii, "a non-ASCII byte in the called AE title", "A-ABORT source 2 reason 6");

        var oversizedData = new byte[6 + 20000];
        oversizedData[0] = 0x04;
        BinaryPrimitives.WriteUInt32BigEndian(oversizedData.AsSpan(2), 20000);
        Pdu("pdu-data-over-max-length.pdu", oversizedData[..64], "P-DATA-TF of 20000 bytes on an association whose max PDU is 16384 (only its first bytes are sent)", "A-ABORT source 2 reason 6", afterAssociation: true);
        var evenPdv = EchoPdu();
        evenPdv[10] = 2;
        Pdu("pdu-data-even-context.pdu", evenPdv, "a PDV on presentation context 2 (ids are odd)", "A-ABORT source 2 reason 6", afterAssociation: true);
        var unaccepted = EchoPdu();
        unaccepted[10] = 7;
        Pdu("pdu-data-unaccepted-context.pdu", unaccepted, "a PDV on presentation context 7, which was never proposed", "A-ABORT source 2 reason 6", afterAssociation: true);
        Pdu("pdu-second-associate-rq.pdu", rq, "a second A-ASSOCIATE-RQ on an established association", "A-ABORT source 2 reason 2", afterAssociation: true);
        Pdu("pdu-release-bad-length.pdu", [0x05, 0, 0, 0, 0, 2, 0, 0], "A-RELEASE-RQ with a 2-byte body (must be 4)", "A-ABORT source 2 reason 6", afterAssociation: true);
        Pdu("pdu-data-no-pdv.pdu", [0x04, 0, 0, 0, 0, 0], "P-DATA-TF holding no PDV", "A-ABORT source 2 reason 6", afterAssociation: true);
    }

    /// <summary>The valid request the PDU entries start from (called AE "ZSAD", Verification and MR).</summary>
    public static byte[] AssociateRequest(string calledAE = "ZSAD", string? applicationContext = null, ushort protocolVersion = 1, bool contexts = true)
    {
        var rq = new AssociationParameters { CalledAE = calledAE, CallingAE = "CORPUS", ProtocolVersion = protocolVersion };
        if (applicationContext is not null)
            rq.ApplicationContext = applicationContext;
        rq.ImplementationClassUid = "1.2.826.0.1.3680043.8.498.99";
        rq.ImplementationVersionName = "ZSAD_CORPUS";
        if (contexts)
        {
            rq.PresentationContexts.Add(new PresentationContext(1, DicomUid.Verification, [TransferSyntax.ImplicitVRLittleEndian.Uid]));
            rq.PresentationContexts.Add(new PresentationContext(3, DicomUid.MRImageStorage, [TransferSyntax.ExplicitVRLittleEndian.Uid]));
        }
        return PduWriter.AssociateRequest(rq);
    }

    private static byte[] EchoPdu()
    {
        using var ms = new MemoryStream();
        new DicomConnection(ms) { SendMaxPduLength = 16384 }.SendMessageAsync(1, DimseCommand.EchoRequest(1), null, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return ms.ToArray();
    }

    private static int IndexOfItem(byte[] pdu, byte type)
    {
        for (var pos = 6 + 68; pos + 4 <= pdu.Length; pos += 4 + BinaryPrimitives.ReadUInt16BigEndian(pdu.AsSpan(pos + 2)))
        {
            if (pdu[pos] == type)
                return pos;
        }
        throw new InvalidOperationException($"no item 0x{type:X2}");
    }

    /// <summary>Offset of an element's tag in Explicit VR LE bytes (first match after the preamble).</summary>
    public static int Find(byte[] bytes, DicomTag tag)
    {
        ReadOnlySpan<byte> needle = [(byte)tag.Group, (byte)(tag.Group >> 8), (byte)tag.Element, (byte)(tag.Element >> 8)];
        var at = bytes.AsSpan(132).IndexOf(needle);
        return at < 0 ? -1 : at + 132;
    }

    /// <summary>The same file with another TransferSyntaxUID of the same length padded, so that no other offset moves.</summary>
    private static byte[] WithSyntax(byte[] valid, string uid)
    {
        var meta = Part10.ReadMeta(valid)!.Value;
        var header = Part10.BuildHeader(meta.Meta.GetString(DicomTags.MediaStorageSOPClassUID)!, meta.Meta.GetString(DicomTags.MediaStorageSOPInstanceUID)!,
            TransferSyntax.ExplicitVRLittleEndian);
        // Rebuild the meta with the new UID by patching the element (0002,0010): its value is re-encoded below.
        var ts = Find(header, DicomTags.TransferSyntaxUID);
        var oldLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(ts + 6));
        var value = System.Text.Encoding.ASCII.GetBytes(uid.Length % 2 == 1 ? uid + "\0" : uid);
        var patched = header[..(ts + 6)].Concat(BitConverter.GetBytes((ushort)value.Length)).Concat(value).Concat(header[(ts + 8 + oldLength)..]).ToArray();
        var groupLength = BinaryPrimitives.ReadUInt32LittleEndian(patched.AsSpan(132 + 8));
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(132 + 8), (uint)(groupLength + value.Length - oldLength));
        return [.. patched, .. valid.AsSpan(meta.DatasetOffset)];
    }

    private static byte[] SequenceBomb(int depth)
    {
        var output = new List<byte>();
        for (var i = 0; i < depth; i++)
        {
            output.AddRange([0x40, 0x00, 0x30, 0xA7, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]); // (0040,A730) SQ, undefined length
            output.AddRange([0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]); // item, undefined length
        }
        for (var i = 0; i < depth; i++)
        {
            output.AddRange([0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]); // item delimiter
            output.AddRange([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]); // sequence delimiter
        }
        return [.. output];
    }

    public const int DeflateBombInflatedLength = 24 << 20;

    /// <summary>Raw deflate of zeros: zlib reaches ~1030:1 on them, just over the reader's 1000:1 ratio limit.</summary>
    public static byte[] DeflateBombBody()
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < DeflateBombInflatedLength / zeros.Length; i++)
                deflate.Write(zeros);
        }
        return output.ToArray();
    }
}
