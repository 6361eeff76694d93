package dev.mileage.gateway.streams;

import dev.mileage.points.metering.ContentKind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What an upload must be: a content type allowed for its kind, bytes that really are that type (checked
 * by their signature, never trusted from the client), within the kind's size limit; and what the
 * delivery needs from it: the playing time where the file carries it and the bytes before the first
 * second of media (a player reads them before it can start).
 */
final class MediaCheck {
  static final long MIB = 1024L * 1024;
  /** Upload size limits per kind. */
  static final Map<ContentKind, Long> SIZE_BYTES_MAX = Map.of(ContentKind.VIDEO, 64 * MIB, ContentKind.MUSIC, 32 * MIB,
      ContentKind.VOICE, 16 * MIB, ContentKind.SOFTWARE, 64 * MIB, ContentKind.DATABASE, 8 * MIB);
  static final Map<ContentKind, List<String>> TYPES = Map.of(
      ContentKind.VIDEO, List.of("video/webm", "video/mp4"),
      ContentKind.MUSIC, List.of("audio/wav", "audio/ogg", "audio/mpeg", "audio/webm"),
      ContentKind.VOICE, List.of("audio/wav", "audio/ogg", "audio/mpeg", "audio/webm"),
      ContentKind.SOFTWARE, List.of("application/zip", "application/gzip", "application/octet-stream"),
      ContentKind.DATABASE, List.of("text/csv"));
  static final int CSV_COLUMNS_MAX = 20;
  static final int CSV_ROWS_MAX = 200_000;
  /** How far into a file its container header may reach. */
  static final int HEADER_SCAN_BYTES_MAX = 4 * 1024 * 1024;

  /** The outcome: {@code problem} null when the media is acceptable. */
  record Checked(String problem, Integer durationSeconds, long headerBytes) {
    static Checked bad(String problem) {
      return new Checked(problem, null, 0);
    }

    boolean ok() {
      return problem == null;
    }
  }

  private MediaCheck() {
  }

  static boolean allowed(ContentKind kind, String contentType) {
    return TYPES.get(kind).contains(contentType);
  }

  static Checked check(ContentKind kind, String contentType, byte[] data) {
    if (!allowed(kind, contentType)) return Checked.bad(contentType + " is not accepted for " + kind + ": use one of " + TYPES.get(kind));
    if (data.length == 0) return Checked.bad("the file is empty");
    if (data.length > SIZE_BYTES_MAX.get(kind)) return Checked.bad("the file exceeds " + SIZE_BYTES_MAX.get(kind) / MIB + " MiB for " + kind);
    return switch (contentType) {
      case "video/webm", "audio/webm" -> webm(data);
      case "video/mp4" -> mp4(data);
      case "audio/wav" -> wav(data);
      case "audio/ogg" -> starts(data, "OggS") ? new Checked(null, null, 0) : Checked.bad("not an Ogg file");
      case "audio/mpeg" -> starts(data, "ID3") || (data.length > 1 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xE0) == 0xE0)
          ? new Checked(null, null, 0) : Checked.bad("not an MPEG audio file");
      case "application/zip" -> starts(data, "PK\u0003\u0004") ? new Checked(null, null, 0) : Checked.bad("not a zip archive");
      case "application/gzip" -> data.length > 2 && (data[0] & 0xFF) == 0x1F && (data[1] & 0xFF) == 0x8B
          ? new Checked(null, null, 0) : Checked.bad("not a gzip file");
      case "text/csv" -> csv(data);
      default -> new Checked(null, null, 0); // application/octet-stream: any bytes
    };
  }

  private static Checked webm(byte[] d) {
    if (d.length < 4 || (d[0] & 0xFF) != 0x1A || (d[1] & 0xFF) != 0x45 || (d[2] & 0xFF) != 0xDF || (d[3] & 0xFF) != 0xA3) {
      return Checked.bad("not a WebM file (no EBML header)");
    }
    int scan = Math.min(d.length, HEADER_SCAN_BYTES_MAX);
    if (indexOf(d, "webm".getBytes(StandardCharsets.US_ASCII), 64) < 0) return Checked.bad("a Matroska file that is not WebM");
    int cluster = indexOf(d, new byte[] {0x1F, 0x43, (byte) 0xB6, 0x75}, scan);
    if (cluster < 0) return Checked.bad("no media cluster in the first " + HEADER_SCAN_BYTES_MAX / MIB + " MiB");
    return new Checked(null, null, cluster);
  }

  /** Top-level boxes: the index (moov) must come before the media (mdat), so playback can start at once. */
  private static Checked mp4(byte[] d) {
    if (d.length < 12 || !new String(d, 4, 4, StandardCharsets.US_ASCII).equals("ftyp")) return Checked.bad("not an MP4 file");
    long at = 0;
    boolean moov = false;
    while (at + 8 <= d.length) {
      long size = ByteBuffer.wrap(d, (int) at, 4).getInt() & 0xFFFFFFFFL;
      String type = new String(d, (int) at + 4, 4, StandardCharsets.US_ASCII);
      if (type.equals("moov")) moov = true;
      if (type.equals("mdat")) {
        return moov ? new Checked(null, null, at + 8) : Checked.bad("the MP4 index (moov) comes after the media: re-mux it for fast start");
      }
      if (size < 8) return Checked.bad("a malformed MP4 box");
      at += size;
    }
    return Checked.bad("an MP4 file without media");
  }

  private static Checked wav(byte[] d) {
    if (d.length < 44 || !starts(d, "RIFF") || !new String(d, 8, 4, StandardCharsets.US_ASCII).equals("WAVE")) {
      return Checked.bad("not a WAV file");
    }
    ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    int at = 12;
    long byteRate = 0;
    while (at + 8 <= d.length) {
      String id = new String(d, at, 4, StandardCharsets.US_ASCII);
      long size = b.getInt(at + 4) & 0xFFFFFFFFL;
      if (id.equals("fmt ") && size >= 16 && at + 24 <= d.length) byteRate = b.getInt(at + 16) & 0xFFFFFFFFL;
      if (id.equals("data")) {
        if (byteRate <= 0) return Checked.bad("a WAV file without a format chunk");
        long dataBytes = Math.min(size, d.length - at - 8L);
        long seconds = (dataBytes + byteRate - 1) / byteRate;
        if (seconds < 1) return Checked.bad("a WAV file shorter than a second");
        return new Checked(null, (int) seconds, at + 8);
      }
      at += 8 + (int) size + (int) (size & 1);
    }
    return Checked.bad("a WAV file without audio data");
  }

  private static Checked csv(byte[] d) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(d)).toString();
    } catch (CharacterCodingException e) {
      return Checked.bad("the CSV is not UTF-8 text");
    }
    String[] lines = text.split("\r?\n");
    int columns = lines[0].split(",", -1).length;
    if (lines[0].isBlank() || columns < 2 || columns > CSV_COLUMNS_MAX) return Checked.bad("the first line must name 2.." + CSV_COLUMNS_MAX + " columns");
    if (lines.length - 1 > CSV_ROWS_MAX) return Checked.bad("more than " + CSV_ROWS_MAX + " rows");
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isEmpty()) continue;
      if (lines[i].split(",", -1).length != columns) return Checked.bad("line " + (i + 1) + " does not have " + columns + " columns");
    }
    return new Checked(null, null, 0);
  }

  private static boolean starts(byte[] d, String prefix) {
    byte[] p = prefix.getBytes(StandardCharsets.ISO_8859_1);
    if (d.length < p.length) return false;
    for (int i = 0; i < p.length; i++) if (d[i] != p[i]) return false;
    return true;
  }

  private static int indexOf(byte[] d, byte[] needle, int limit) {
    outer:
    for (int i = 0; i + needle.length <= Math.min(d.length, limit); i++) {
      for (int j = 0; j < needle.length; j++) if (d[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }
}
