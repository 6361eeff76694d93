package dev.mileage.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  private static Report sample() {
    Histogram micros = new Histogram(3_600_000_000L, 3);
    for (int i = 1; i <= 1000; i++) micros.recordValue(i * 100L); // 0.1 ms .. 100 ms, uniform
    return new Report("calls", Instant.parse("2026-11-23T04:00:00Z"))
        .setting("ratePerSecond", 1000)
        .figure("callsPerSecondAchieved", 998.5)
        .figure("callsFailed", 0L)
        .figure("failedByCode", Map.of("486", 2))
        .latency("setupLatency", "INVITE to 200 <ok>", micros)
        .note("target <missed> & \"noted\"");
  }

  @Test
  void jsonHasFiguresAtTopLevelWithPercentilesInMilliseconds(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub/report.json");
    ReportWriter.writeJson(sample(), file);
    JsonObject json = new JsonObject(Files.readString(file));
    assertEquals("calls", json.getString("benchmark"));
    assertEquals(998.5, json.getDouble("callsPerSecondAchieved"));
    assertEquals(0L, json.getLong("callsFailed"));
    assertEquals(2, json.getJsonObject("failedByCode").getInteger("486"));
    assertEquals(50.0, json.getDouble("setupLatencyMsP50"), 0.1);
    assertEquals(99.0, json.getDouble("setupLatencyMsP99"), 0.1);
    assertEquals(99.9, json.getDouble("setupLatencyMsP999"), 0.1);
    assertEquals(100.0, json.getDouble("setupLatencyMsMax"), 0.1);
    assertEquals(1000L, json.getLong("setupLatencyCount"));
    assertEquals(1000, json.getJsonObject("settings").getInteger("ratePerSecond"));
    assertEquals("target <missed> & \"noted\"", json.getJsonArray("notes").getString(0));
  }

  @Test
  void emptyHistogramGivesZeroFiguresNotAnError() {
    Report report = new Report("x", Instant.EPOCH).latency("idle", "nothing", new Histogram(1000, 3));
    assertEquals(0.0, report.figures().get("idleMsP99"));
    assertEquals(0L, report.figures().get("idleCount"));
    assertTrue(ReportWriter.html(report).contains("<svg"));
  }

  @Test
  void summaryListsEveryFigureAndNote() {
    String summary = ReportWriter.summary(sample());
    assertTrue(summary.contains("callsPerSecondAchieved"), summary);
    assertTrue(summary.contains("998.500"), summary);
    assertTrue(summary.contains("setupLatencyMsP99"), summary);
    assertTrue(summary.contains("note: target <missed>"), summary);
  }

  @Test
  void htmlIsSelfContainedEscapedAndPlotsTheDistribution(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("report.html");
    ReportWriter.writeHtml(sample(), file);
    String html = Files.readString(file);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertFalse(html.contains("src="), "no external scripts or images");
    assertFalse(html.contains("href="), "no external style sheets");
    assertTrue(html.contains("INVITE to 200 &lt;ok&gt;"));
    assertTrue(html.contains("target &lt;missed&gt; &amp; &quot;noted&quot;"));
    assertFalse(html.contains("<missed>"));
    Matcher polyline = Pattern.compile("<polyline[^>]*points=\"([^\"]+)\"").matcher(html);
    assertTrue(polyline.find(), "a latency line");
    String[] points = polyline.group(1).split(" ");
    assertTrue(points.length > 20, "the percentile distribution, not a few points: " + points.length);
    double previousX = -1;
    double previousY = Double.MAX_VALUE;
    for (String point : points) {
      String[] xy = point.split(",");
      double x = Double.parseDouble(xy[0]);
      double y = Double.parseDouble(xy[1]);
      assertTrue(x >= previousX, "percentiles ascend left to right");
      assertTrue(y <= previousY + 1e-9, "latency never falls as the percentile rises (y grows downwards)");
      assertTrue(x >= 0 && x <= LatencyPlot.WIDTH && y >= 0 && y <= LatencyPlot.HEIGHT, "inside the plot");
      previousX = x;
      previousY = y;
    }
  }

  @Test
  void plotAxisPutsTheTailOnALogScale() {
    assertEquals(0.0, LatencyPlot.x(0.0), 1e-9);
    assertEquals(1.0 / 6, LatencyPlot.x(90.0), 1e-9);
    assertEquals(2.0 / 6, LatencyPlot.x(99.0), 1e-9);
    assertEquals(1.0, LatencyPlot.x(100.0), 1e-9);
    assertEquals(50.0, LatencyPlot.niceCeiling(42.0));
    assertEquals(0.2, LatencyPlot.niceCeiling(0.13), 1e-12);
  }

  @Test
  void percentileSuffixesMatchTheIssueNames() {
    assertEquals("P99", Report.percentileSuffix(99.0));
    assertEquals("P999", Report.percentileSuffix(99.9));
    assertEquals("P50", Report.percentileSuffix(50.0));
  }

  @Test
  void latencyNamesMustBeCamelCase() {
    assertThrows(IllegalArgumentException.class,
        () -> new Report("x", Instant.EPOCH).latency("Setup latency", "", new Histogram(1000, 3)));
  }
}
