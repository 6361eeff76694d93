package dev.mileage.bench.calls;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/** {@code 500ms}, {@code 60s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT60S}) on the command line. */
public final class Durations implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String text = value.trim().toLowerCase(Locale.ROOT);
    if (text.startsWith("pt")) return Duration.parse(value.trim());
    if (text.endsWith("ms")) return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    long amount = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      case 'h' -> Duration.ofHours(amount);
      default -> throw new IllegalArgumentException("a duration like 500ms, 60s, 2m or PT60S: " + value);
    };
  }
}
