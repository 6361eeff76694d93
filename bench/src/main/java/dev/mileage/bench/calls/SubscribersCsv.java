package dev.mileage.bench.calls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Subscribers from a SIPp injection file, so the bench and SIPp can share one list:
 * a first line {@code SEQUENTIAL} (or RANDOM), then {@code user;[authentication username=U password=P];number}.
 */
final class SubscribersCsv {
  static final int LINES_MAX = Provisioning.SUBSCRIBERS_MAX;
  private static final Pattern AUTH = Pattern.compile("\\[authentication\\s+username=(\\S+)\\s+password=([^\\]\\s]+)\\s*]");

  private SubscribersCsv() {}

  static List<Subscriber> read(Path file) throws IOException {
    List<Subscriber> subscribers = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#") || (i == 0 && !line.contains(";"))) continue;
      if (subscribers.size() >= LINES_MAX) throw new IOException(file + ": more than " + LINES_MAX + " subscribers");
      Matcher auth = AUTH.matcher(line);
      if (!auth.find()) throw new IOException(file + " line " + (i + 1) + ": no [authentication username=.. password=..]");
      subscribers.add(new Subscriber(auth.group(1), auth.group(2), line.substring(0, line.indexOf(';'))));
    }
    if (subscribers.isEmpty()) throw new IOException(file + ": no subscribers");
    return subscribers;
  }
}
