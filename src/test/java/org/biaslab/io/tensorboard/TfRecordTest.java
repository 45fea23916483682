package org.biaslab.io.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.io.tensorboard.proto.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The framing, CRCs and messages against an event file written by TensorBoard's own writer,
 * {@code src/test/resources/io/tensorboard/events.out.tfevents.1796228894.vm.30394.0.fixture}, made with tensorboard
 * 2.21.0 (protobuf 7.36.2, Python 3.11, {@code pip install --target /tmp/tb tensorboard}) by
 * <pre>
 * import sys; sys.path.insert(0, "/tmp/tb")
 * from tensorboard.summary.writer.event_file_writer import EventFileWriter
 * from tensorboard.compat.proto import event_pb2, summary_pb2
 * from tensorboard.plugins.text import summary_v2 as text_summary
 * w = EventFileWriter(sys.argv[1], filename_suffix=".fixture")
 * def scalar(step, wall, tag, v):
 *     w.add_event(event_pb2.Event(wall_time=wall, step=step, summary=summary_pb2.Summary(
 *         value=[summary_pb2.Summary.Value(tag=tag, simple_value=v)])))
 * text = text_summary.text_pb("config", '    {"d": 16, "lr": 0.001}')
 * w.add_event(event_pb2.Event(wall_time=1700000000.25, step=0, summary=text))
 * scalar(1, 1700000001.5, "train/loss", 0.6931471805599453)
 * scalar(1, 1700000001.5, "param_norm", 12.5)
 * scalar(2, 1700000002.75, "train/loss", 0.125)
 * scalar(2, 1700000002.75, "eval/accuracy", 1.0)
 * w.close()
 * </pre>
 * (the writer adds the first event, the file version with its own name and the time it ran).
 */
class TfRecordTest {
    private static final String FIXTURE = "/io/tensorboard/events.out.tfevents.1796228894.vm.30394.0.fixture";

    private static byte[] fixtureBytes() throws IOException {
        try (InputStream in = TfRecordTest.class.getResourceAsStream(FIXTURE)) {
            return in.readAllBytes();
        }
    }

    private static Path fixture(Path tmp) throws IOException {
        return Files.write(tmp.resolve("events.out.tfevents.fixture"), fixtureBytes());
    }

    @Test
    void reframingTensorBoardsRecordsGivesItsFileByteForByte(@TempDir Path tmp) throws IOException {
        List<byte[]> records = TfRecord.read(fixture(tmp));
        assertEquals(6, records.size());
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        for (byte[] r : records) again.writeBytes(TfRecord.frame(r));
        assertArrayEquals(fixtureBytes(), again.toByteArray());
    }

    @Test
    void ourEventsAreTensorBoardsMessages(@TempDir Path tmp) throws IOException {
        List<Event> events = EventFiles.read(fixture(tmp));
        assertEquals(EventWriter.FILE_VERSION, events.get(0).getFileVersion());
        assertEquals("tensorboard.summary.writer.event_file_writer", events.get(0).getSourceMetadata().getWriter());
        assertTrue(events.get(0).getWallTime() > 1.7e9);
        assertEquals(EventWriter.textEvent(1700000000.25, 0, "config", "    {\"d\": 16, \"lr\": 0.001}"), events.get(1));
        assertEquals(EventWriter.scalarEvent(1700000001.5, 1, Map.of("train/loss", 0.6931471805599453)), events.get(2));
        assertEquals(EventWriter.scalarEvent(1700000001.5, 1, Map.of("param_norm", 12.5)), events.get(3));
        assertEquals(EventWriter.scalarEvent(1700000002.75, 2, Map.of("train/loss", 0.125)), events.get(4));
        assertEquals(EventWriter.scalarEvent(1700000002.75, 2, Map.of("eval/accuracy", 1.0)), events.get(5));
        // and byte for byte, as protobuf writes fields in number order in both languages
        assertArrayEquals(TfRecord.read(fixture(tmp)).get(1), EventWriter.textEvent(1700000000.25, 0, "config", "    {\"d\": 16, \"lr\": 0.001}").toByteArray());
    }

    @Test
    void aFlippedByteFailsItsCrc(@TempDir Path tmp) throws IOException {
        byte[] bytes = fixtureBytes();
        int secondRecord = TfRecord.OVERHEAD + TfRecord.read(fixture(tmp)).get(0).length;
        byte[] payload = bytes.clone();
        payload[secondRecord + 12 + 3] ^= 1;
        FormatException e = assertThrows(FormatException.class, () -> TfRecord.read(Files.write(tmp.resolve("payload"), payload)));
        assertTrue(e.getMessage().contains("record 1 at byte " + secondRecord + ": the CRC of its"), e.getMessage());
        byte[] length = bytes.clone();
        length[secondRecord] ^= 1;
        e = assertThrows(FormatException.class, () -> TfRecord.read(Files.write(tmp.resolve("length"), length)));
        assertTrue(e.getMessage().contains("the CRC of its length"), e.getMessage());
        byte[] crc = bytes.clone();
        crc[bytes.length - 1] ^= 1;
        e = assertThrows(FormatException.class, () -> TfRecord.read(Files.write(tmp.resolve("crc"), crc)));
        assertTrue(e.getMessage().contains("record 5"), e.getMessage());
    }

    @Test
    void aRecordCutOffAtTheEndIsLeftOut(@TempDir Path tmp) throws IOException {
        byte[] bytes = fixtureBytes();
        for (int cut : new int[] {1, 4, 10, 20}) {
            Path file = Files.write(tmp.resolve("cut" + cut), Arrays.copyOf(bytes, bytes.length - cut));
            assertEquals(5, TfRecord.read(file).size());
        }
    }

    @Test
    void anEmptyPayloadIsFramedWithTheCrcsOfNothing() {
        // the masked CRC-32C of 8 zero bytes (29 03 98 07) and of no bytes (d8 ea 82 a2), little-endian, as printed by
        // struct.pack('<I', tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c(b'\0' * 8)).hex()
        byte[] r = TfRecord.frame(new byte[0]);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x29, (byte) 0x03, (byte) 0x98, (byte) 0x07,
                (byte) 0xd8, (byte) 0xea, (byte) 0x82, (byte) 0xa2}, r);
    }
}
