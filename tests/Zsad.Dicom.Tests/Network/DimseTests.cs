using Zsad.Dicom.Network;

namespace Zsad.Dicom.Tests.Network;

/// <summary>PS3.7 command sets, fragmentation and reassembly.</summary>
public sealed class DimseTests
{
    [Fact]
    public void Command_IsImplicitLittleEndian_LedByCorrectGroupLength()
    {
        var bytes = DimseCommand.Encode(DimseCommand.StoreRequest(7, DicomUid.MRImageStorage, "1.2.3.4"));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 4, 0, 0, 0 }, bytes[..8]); // (0000,0000) UL, implicit length 4
        Assert.Equal((uint)(bytes.Length - 12), BitConverter.ToUInt32(bytes, 8));
        var decoded = DimseCommand.Decode(bytes);
        Assert.Equal(DimseCommand.CStoreRequest, decoded.GetInt(DicomTags.CommandField));
        Assert.Equal(7, decoded.GetInt(DicomTags.MessageID));
        Assert.Equal("1.2.3.4", decoded.GetString(DicomTags.AffectedSOPInstanceUID));
        Assert.True(DimseCommand.HasDataSet(decoded));
    }

    [Theory]
    [InlineData(0x0101, false)]
    [InlineData(0x0000, true)]
    [InlineData(0x0102, true)]
    public void CommandDataSetType_0101MeansNoDataset_AnythingElseMeansOne(int value, bool hasDataset)
    {
        var c = DimseCommand.EchoRequest(1);
        c.SetValues(DicomTags.CommandDataSetType, DicomVR.US, (ushort)value);
        Assert.Equal(hasDataset, DimseCommand.HasDataSet(c));
    }

    [Fact]
    public async Task Fragmentation_HonoursPeerMaxPdu_AndNeverMixesCommandAndDataset()
    {
        var stream = new MemoryStream();
        var connection = new DicomConnection(stream) { SendMaxPduLength = 4096 };
        var dataset = new byte[10_000];
        new Random(1).NextBytes(dataset);
        await connection.SendMessageAsync(3, DimseCommand.StoreRequest(1, DicomUid.MRImageStorage, "1.2.3"), dataset, CancellationToken.None);
        var wire = new System.Buffers.ReadOnlySequence<byte>(stream.ToArray());
        var assembler = new MessageAssembler(1 << 20);
        DimseMessage? message = null;
        var pdus = 0;
        while (PduReader.TryReadFrame(ref wire, 4096, out var frame))
        {
            using (frame)
            {
                pdus++;
                Assert.True(frame!.Length <= 4096);
                foreach (var pdv in PduReader.ParseDataTransfer(frame.Body))
                {
                    Assert.True(pdv.Data.Length <= 4096 - 6);
                    Assert.True(pdv.Data.Length % 2 == 0 || pdv.IsLast);
                    message = assembler.Add(pdv) ?? message;
                }
            }
        }
        Assert.Equal(0, wire.Length);
        Assert.Equal(1 + 3, pdus); // one command PDU, 10000 bytes in 4090-byte fragments
        Assert.NotNull(message);
        Assert.Equal(dataset, message!.Dataset!.Value.ToArray());
        Assert.Equal(3, message.PresentationContextId);
    }

    [Fact]
    public void Reassembly_AcceptsFragmentsSplitMidElement()
    {
        var command = DimseCommand.Encode(DimseCommand.EchoRequest(9));
        var assembler = new MessageAssembler(1024);
        for (var i = 0; i < command.Length - 1; i++)
            Assert.Null(assembler.Add(new Pdv(1, true, false, command.AsMemory(i, 1))));
        var message = assembler.Add(new Pdv(1, true, true, command.AsMemory(command.Length - 1, 1)));
        Assert.Equal(DimseCommand.CEchoRequest, message!.CommandField);
        Assert.Null(message.Dataset);
    }

    [Fact]
    public void Reassembly_IsKeptPerPresentationContext()
    {
        var a = DimseCommand.Encode(DimseCommand.StoreRequest(1, DicomUid.MRImageStorage, "1.2.3"));
        var b = DimseCommand.Encode(DimseCommand.EchoRequest(2));
        var assembler = new MessageAssembler(1024);
        Assert.Null(assembler.Add(new Pdv(1, true, false, a.AsMemory(0, 10))));
        Assert.Equal(DimseCommand.CEchoRequest, assembler.Add(new Pdv(3, true, true, b))!.CommandField);
        Assert.Null(assembler.Add(new Pdv(1, true, true, a.AsMemory(10))));
        Assert.Equal(new byte[] { 1, 2 }, assembler.Add(new Pdv(1, false, true, new byte[] { 1, 2 }))!.Dataset!.Value.ToArray());
    }

    [Fact]
    public void Reassembly_SizeCap_IsEnforced()
    {
        var assembler = new MessageAssembler(100);
        assembler.Add(new Pdv(1, true, true, DimseCommand.Encode(DimseCommand.StoreRequest(1, DicomUid.MRImageStorage, "1.2.3"))));
        assembler.Add(new Pdv(1, false, false, new byte[60]));
        var ex = Assert.Throws<DicomProtocolException>(() => assembler.Add(new Pdv(1, false, false, new byte[60])));
        Assert.Equal("dataset exceeds the limit of 100 bytes", ex.Message);
    }

    [Fact]
    public void DatasetFragment_BeforeItsCommand_IsAProtocolError()
    {
        var ex = Assert.Throws<DicomProtocolException>(() => new MessageAssembler(100).Add(new Pdv(1, false, true, new byte[2])));
        Assert.Contains("before a complete command", ex.Message);
    }
}
