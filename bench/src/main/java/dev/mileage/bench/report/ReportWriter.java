package dev.mileage.bench.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Writes a {@link Report} as JSON (machine-readable figures), a human summary and a self-contained HTML page. */
public final class ReportWriter {
  private ReportWriter() {}

  /** The JSON document: the figures at the top level (so {@code jq .setupLatencyMsP99} works), plus context. */
  public static JsonObject json(Report report) {
    JsonObject json = new JsonObject();
    json.put("benchmark", report.benchmark());
    json.put("startedAt", report.startedAt().toString());
    for (Map.Entry<String, Object> figure : report.figures().entrySet()) json.put(figure.getKey(), figure.getValue());
    json.put("settings", new JsonObject(new java.util.LinkedHashMap<>(report.settings())));
    JsonArray notes = new JsonArray();
    report.notes().forEach(notes::add);
    json.put("notes", notes);
    return json;
  }

  public static void writeJson(Report report, Path file) {
    write(file, json(report).encodePrettily() + "\n");
  }

  /** A few lines for a terminal: every figure, then the notes. */
  public static String summary(Report report) {
    StringBuilder out = new StringBuilder();
    out.append("bench ").append(report.benchmark()).append(" (started ").append(report.startedAt()).append(")\n");
    int width = report.figures().keySet().stream().mapToInt(String::length).max().orElse(0);
    for (Map.Entry<String, Object> figure : report.figures().entrySet()) {
      out.append("  ").append(String.format(Locale.ROOT, "%-" + width + "s", figure.getKey()))
          .append("  ").append(format(figure.getValue())).append('\n');
    }
    for (String note : report.notes()) out.append("  note: ").append(note).append('\n');
    return out.toString();
  }

  /** One HTML page, no external assets: settings, figures, notes, and the latency percentile plot in SVG. */
  public static String html(Report report) {
    StringBuilder page = new StringBuilder(16_384);
    page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bench ")
        .append(escape(report.benchmark())).append("</title>\n<style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;")
        .append("text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#a40}")
        .append("</style></head><body>\n");
    page.append("<h1>bench ").append(escape(report.benchmark())).append("</h1>\n<p>Started ")
        .append(escape(report.startedAt().toString())).append("</p>\n");
    if (!report.notes().isEmpty()) {
      page.append("<ul>");
      for (String note : report.notes()) page.append("<li class=\"note\">").append(escape(note)).append("</li>");
      page.append("</ul>\n");
    }
    page.append("<h2>Figures</h2>\n");
    table(page, report.figures());
    if (!report.latencies().isEmpty()) {
      page.append("<h2>Latency by percentile</h2>\n<p>Corrected for coordinated omission: each operation is ")
          .append("measured from its intended start in the open-loop schedule.</p>\n");
      page.append(LatencyPlot.svg(report.latencies()));
    }
    page.append("<h2>Settings</h2>\n");
    table(page, report.settings());
    page.append("</body></html>\n");
    return page.toString();
  }

  public static void writeHtml(Report report, Path file) {
    write(file, html(report));
  }

  private static void table(StringBuilder page, Map<String, Object> rows) {
    page.append("<table>");
    for (Map.Entry<String, Object> row : rows.entrySet()) {
      boolean numeric = row.getValue() instanceof Number;
      page.append("<tr><th>").append(escape(row.getKey())).append("</th><td").append(numeric ? " class=\"n\">" : ">")
          .append(escape(format(row.getValue()))).append("</td></tr>");
    }
    page.append("</table>\n");
  }

  static String format(Object value) {
    if (value instanceof Double || value instanceof Float) {
      return String.format(Locale.ROOT, "%.3f", ((Number) value).doubleValue());
    }
    return String.valueOf(value);
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static void write(Path file, String text) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
