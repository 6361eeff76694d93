package dev.mileage.gateway.streams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The media files, under {@code <data dir>/streams/media}, named by item and content hash. A file is
 * written beside its final name and moved into place, so a crash never leaves half a file under a name
 * the catalog points at. Blocking: call from a worker.
 */
final class MediaStore {
  private final Path dir;

  MediaStore(Path dataDir) {
    this.dir = dataDir.resolve("streams").resolve("media");
  }

  record Stored(String fileName, String sha256) {
  }

  Stored save(String prefix, String extension, byte[] data) throws IOException {
    Files.createDirectories(dir);
    String sha = sha256(data);
    String name = prefix + "-" + sha.substring(0, 16) + "." + extension;
    Path target = dir.resolve(name);
    if (!Files.exists(target)) {
      Path temp = Files.createTempFile(dir, prefix, ".part");
      try {
        Files.write(temp, data);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    }
    return new Stored(name, sha);
  }

  Path path(String fileName) {
    if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
      throw new IllegalStateException("not a media file name: " + fileName);
    }
    return dir.resolve(fileName);
  }

  static String extension(String contentType) {
    return switch (contentType) {
      case "video/webm", "audio/webm" -> "webm";
      case "video/mp4" -> "mp4";
      case "audio/wav" -> "wav";
      case "audio/ogg" -> "ogg";
      case "audio/mpeg" -> "mp3";
      case "application/zip" -> "zip";
      case "application/gzip" -> "gz";
      case "text/csv" -> "csv";
      default -> "bin";
    };
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
