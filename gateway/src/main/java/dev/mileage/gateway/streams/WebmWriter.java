package dev.mileage.gateway.streams;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal WebM (Matroska) muxer for one VP8 video track of key frames: EBML header, a SeekHead, Info
 * with the duration, Tracks, Cues <em>before</em> the clusters (so a player reads everything it needs to
 * seek from the start of the file, and a metered delivery never has to jump to the end), then one
 * cluster per second. Written in memory: demo videos are a few megabytes.
 */
final class WebmWriter {
  private static final int ID_EBML = 0x1A45DFA3;
  private static final int ID_SEGMENT = 0x18538067;
  private static final int ID_SEEK_HEAD = 0x114D9B74;
  private static final int ID_INFO = 0x1549A966;
  private static final int ID_TRACKS = 0x1654AE6B;
  private static final int ID_CUES = 0x1C53BB6B;
  private static final int ID_CLUSTER = 0x1F43B675;

  /** The file and where its first cluster starts (everything before it is what a player needs to start). */
  record Result(byte[] bytes, long headerBytes) {
  }

  private final int width;
  private final int height;
  private final int framesPerSecond;
  private final List<byte[]> frames = new ArrayList<>();

  WebmWriter(int width, int height, int framesPerSecond) {
    if (width <= 0 || height <= 0 || framesPerSecond <= 0 || framesPerSecond > 60) throw new IllegalArgumentException("bad video");
    this.width = width;
    this.height = height;
    this.framesPerSecond = framesPerSecond;
  }

  void addKeyFrame(byte[] vp8) {
    frames.add(vp8.clone());
  }

  Result finish() {
    long durationMs = frames.size() * 1000L / framesPerSecond;
    byte[] info = element(ID_INFO, concat(uint(0x2AD7B1, 1_000_000), float64(0x4489, durationMs),
        string(0x4D80, "mileage-gateway"), string(0x5741, "mileage-gateway demo")));
    byte[] video = element(0xE0, concat(uint(0xB0, width), uint(0xBA, height)));
    byte[] track = element(0xAE, concat(uint(0xD7, 1), uint(0x73C5, 1), uint(0x83, 1), uint(0x9C, 0),
        string(0x86, "V_VP8"), uint(0x23E383, 1_000_000_000L / framesPerSecond), video));
    byte[] tracks = element(ID_TRACKS, track);
    List<byte[]> clusters = new ArrayList<>();
    List<Long> clusterTimesMs = new ArrayList<>();
    for (int first = 0; first < frames.size(); first += framesPerSecond) {
      long clusterMs = first * 1000L / framesPerSecond;
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.writeBytes(uint(0xE7, clusterMs));
      for (int i = first; i < Math.min(frames.size(), first + framesPerSecond); i++) {
        long relativeMs = i * 1000L / framesPerSecond - clusterMs;
        byte[] frame = frames.get(i);
        byte[] block = new byte[4 + frame.length];
        block[0] = (byte) 0x81; // track 1
        block[1] = (byte) (relativeMs >> 8);
        block[2] = (byte) relativeMs;
        block[3] = (byte) 0x80; // key frame
        System.arraycopy(frame, 0, block, 4, frame.length);
        body.writeBytes(element(0xA3, block));
      }
      clusters.add(element(ID_CLUSTER, body.toByteArray()));
      clusterTimesMs.add(clusterMs);
    }
    // fixed-width positions make the sizes of SeekHead and Cues known before the positions are
    int seekHeadSize = element(ID_SEEK_HEAD, concat(seek(ID_INFO, 0), seek(ID_TRACKS, 0), seek(ID_CUES, 0))).length;
    int cuesSize = cues(clusterTimesMs, new long[clusters.size()]).length;
    long infoAt = seekHeadSize;
    long tracksAt = infoAt + info.length;
    long cuesAt = tracksAt + tracks.length;
    long[] clusterAt = new long[clusters.size()];
    long at = cuesAt + cuesSize;
    for (int i = 0; i < clusters.size(); i++) {
      clusterAt[i] = at;
      at += clusters.get(i).length;
    }
    byte[] seekHead = element(ID_SEEK_HEAD, concat(seek(ID_INFO, infoAt), seek(ID_TRACKS, tracksAt), seek(ID_CUES, cuesAt)));
    byte[] cues = cues(clusterTimesMs, clusterAt);
    ByteArrayOutputStream segment = new ByteArrayOutputStream();
    segment.writeBytes(seekHead);
    segment.writeBytes(info);
    segment.writeBytes(tracks);
    segment.writeBytes(cues);
    clusters.forEach(segment::writeBytes);
    byte[] header = element(ID_EBML, concat(uint(0x4286, 1), uint(0x42F7, 1), uint(0x42F2, 4), uint(0x42F3, 8),
        string(0x4282, "webm"), uint(0x4287, 2), uint(0x4285, 2)));
    byte[] segmentBytes = element(ID_SEGMENT, segment.toByteArray());
    int segmentHeader = segmentBytes.length - segment.size();
    long firstCluster = header.length + segmentHeader + cuesAt + cuesSize;
    return new Result(concat(header, segmentBytes), firstCluster);
  }

  private static byte[] cues(List<Long> timesMs, long[] positions) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < positions.length; i++) {
      out.writeBytes(element(0xBB, concat(fixed(0xB3, timesMs.get(i)),
          element(0xB7, concat(uint(0xF7, 1), fixed(0xF1, positions[i]))))));
    }
    return element(ID_CUES, out.toByteArray());
  }

  private static byte[] seek(int id, long position) {
    return element(0x4DBB, concat(element(0x53AB, idBytes(id)), fixed(0x53AC, position)));
  }

  static byte[] element(int id, byte[] payload) {
    return concat(idBytes(id), size(payload.length), payload);
  }

  private static byte[] idBytes(int id) {
    int n = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (id >>> (8 * (n - 1 - i)));
    return b;
  }

  /** An EBML variable-size integer: 8 bytes for anything large, fewer for small payloads. */
  private static byte[] size(long value) {
    int n = 1;
    while (n < 8 && value >= (1L << (7 * n)) - 1) n++;
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (value >>> (8 * (n - 1 - i)));
    b[0] |= (byte) (0x80 >>> (n - 1));
    return b;
  }

  private static byte[] uint(int id, long value) {
    int n = 1;
    while (n < 8 && (value >>> (8 * n)) != 0) n++;
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (value >>> (8 * (n - 1 - i)));
    return element(id, b);
  }

  private static byte[] fixed(int id, long value) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) b[i] = (byte) (value >>> (8 * (7 - i)));
    return element(id, b);
  }

  private static byte[] float64(int id, double value) {
    long bits = Double.doubleToLongBits(value);
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) b[i] = (byte) (bits >>> (8 * (7 - i)));
    return element(id, b);
  }

  private static byte[] string(int id, String value) {
    return element(id, value.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
