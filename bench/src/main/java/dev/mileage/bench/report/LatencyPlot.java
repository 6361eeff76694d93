package dev.mileage.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Latency by percentile as inline SVG, in HdrHistogram's usual shape: the x axis is 1/(1-p) on a log scale
 * so the tail (99%, 99.9%, 99.99%) gets as much room as the median.
 */
final class LatencyPlot {
  static final int WIDTH = 760;
  static final int HEIGHT = 400;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 20;
  private static final int BOTTOM = 50;
  /** Points drawn per series: HdrHistogram's percentile iteration, capped so the page stays small. */
  static final int POINTS_PER_SERIES_MAX = 2_000;
  private static final int TICKS_PER_HALF_DISTANCE = 5;
  private static final double X_DECADES = 6.0; // 0% .. 99.9999%
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

  private LatencyPlot() {}

  /** One point of the plot: percentile in [0, 100] and latency in ms. */
  record Point(double percentile, double ms) {}

  static List<Point> points(Report.Latency latency) {
    List<Point> points = new ArrayList<>();
    if (latency.histogramMicros().getTotalCount() == 0) return points;
    for (HistogramIterationValue v : latency.histogramMicros().percentiles(TICKS_PER_HALF_DISTANCE)) {
      if (points.size() >= POINTS_PER_SERIES_MAX) break;
      double percentile = Math.min(v.getPercentileLevelIteratedTo(), 99.9999);
      points.add(new Point(percentile, v.getValueIteratedTo() / 1000.0));
    }
    return points;
  }

  /** x position in [0, 1]: log10(1 / (1 - p)) over the decades shown. */
  static double x(double percentile) {
    double remaining = Math.max(1.0 - percentile / 100.0, Math.pow(10, -X_DECADES));
    return Math.log10(1.0 / remaining) / X_DECADES;
  }

  static String svg(List<Report.Latency> latencies) {
    double maxMs = 0.001;
    List<List<Point>> series = new ArrayList<>();
    for (Report.Latency latency : latencies) {
      List<Point> points = points(latency);
      series.add(points);
      for (Point p : points) maxMs = Math.max(maxMs, p.ms());
    }
    double yTop = niceCeiling(maxMs);
    int plotWidth = WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    StringBuilder svg = new StringBuilder(8_192);
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "role=\"img\" aria-label=\"latency by percentile\" font-family=\"sans-serif\" font-size=\"11\">\n",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" "
        + "stroke=\"#999\"/>\n", LEFT, TOP, plotWidth, plotHeight));
    String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};
    for (int decade = 0; decade <= X_DECADES; decade++) {
      double px = LEFT + plotWidth * decade / X_DECADES;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
          px, TOP, px, TOP + plotHeight, px, TOP + plotHeight + 15, xLabels[decade]));
    }
    for (int tick = 0; tick <= 4; tick++) {
      double ms = yTop * tick / 4;
      double py = TOP + plotHeight - plotHeight * tick / 4.0;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>\n",
          LEFT, py, LEFT + plotWidth, py, LEFT - 5, py + 4, ReportWriter.format(ms)));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>\n",
        LEFT + plotWidth / 2, HEIGHT - 8));
    for (int i = 0; i < series.size(); i++) {
      String colour = COLOURS[i % COLOURS.length];
      StringBuilder line = new StringBuilder();
      for (Point p : series.get(i)) {
        double px = LEFT + plotWidth * x(p.percentile());
        double py = TOP + plotHeight - plotHeight * (p.ms() / yTop);
        line.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
      }
      svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
          .append(line.toString().trim()).append("\"><title>")
          .append(ReportWriter.escape(latencies.get(i).name())).append("</title></polyline>\n");
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"%d\">%s</text>\n", LEFT + 10, TOP + 12 + 16 * i, colour, LEFT + 28, TOP + 16 + 16 * i,
          ReportWriter.escape(latencies.get(i).name() + ": " + latencies.get(i).description())));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** 1, 2 or 5 times a power of ten, at least {@code value}: round axis labels. */
  static double niceCeiling(double value) {
    double power = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 5, 10}) {
      if (step * power >= value) return step * power;
    }
    return 10 * power;
  }
}
