package dev.mileage.bench.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * The result of one benchmark run: settings, figures (flat name to number or text, in insertion order, the
 * names the issues ask for) and latency distributions. Written by {@link ReportWriter} as JSON, a human
 * summary and an HTML page.
 */
public final class Report {
  /** Percentiles reported as flat figures for every latency series (also the plot's axis marks). */
  static final double[] PERCENTILES = {50.0, 90.0, 99.0, 99.9};

  private final String benchmark;
  private final Instant startedAt;
  private final Map<String, Object> settings = new LinkedHashMap<>();
  private final Map<String, Object> figures = new LinkedHashMap<>();
  private final List<Latency> latencies = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /**
   * A latency distribution recorded in microseconds.
   *
   * @param name prefix of its figures, e.g. {@code setupLatency} gives {@code setupLatencyMsP99}
   */
  public record Latency(String name, String description, Histogram histogramMicros) {
    public Latency {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(histogramMicros, "histogramMicros");
      if (!name.matches("[a-z][A-Za-z0-9]*")) throw new IllegalArgumentException("name must be camelCase: " + name);
    }

    public double msAtPercentile(double percentile) {
      return histogramMicros.getTotalCount() == 0 ? 0.0 : histogramMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double msMax() {
      return histogramMicros.getTotalCount() == 0 ? 0.0 : histogramMicros.getMaxValue() / 1000.0;
    }
  }

  public Report(String benchmark, Instant startedAt) {
    this.benchmark = Objects.requireNonNull(benchmark, "benchmark");
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
  }

  public Report setting(String name, Object value) {
    settings.put(Objects.requireNonNull(name, "name"), value == null ? "" : value);
    return this;
  }

  /** A figure: a number, a boolean, text, or a map of those (e.g. failures by response code). */
  public Report figure(String name, Object value) {
    figures.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
    return this;
  }

  /**
   * Adds a latency distribution and its flat figures {@code <name>MsP50, MsP90, MsP99, MsP999, MsMax} and
   * {@code <name>Count}.
   */
  public Report latency(String name, String description, Histogram histogramMicros) {
    Latency latency = new Latency(name, description, histogramMicros);
    latencies.add(latency);
    for (double p : PERCENTILES) figures.put(name + "Ms" + percentileSuffix(p), round3(latency.msAtPercentile(p)));
    figures.put(name + "MsMax", round3(latency.msMax()));
    figures.put(name + "Count", histogramMicros.getTotalCount());
    return this;
  }

  /** A line of text for the reader: a target missed, a cross-check that failed, a caveat. */
  public Report note(String note) {
    notes.add(Objects.requireNonNull(note, "note"));
    return this;
  }

  static String percentileSuffix(double percentile) {
    String digits = Double.toString(percentile).replace(".0", "").replace(".", "");
    return "P" + digits;
  }

  static double round3(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }

  public String benchmark() { return benchmark; }
  public Instant startedAt() { return startedAt; }
  public Map<String, Object> settings() { return Collections.unmodifiableMap(settings); }
  public Map<String, Object> figures() { return Collections.unmodifiableMap(figures); }
  public List<Latency> latencies() { return Collections.unmodifiableList(latencies); }
  public List<String> notes() { return Collections.unmodifiableList(notes); }
}
