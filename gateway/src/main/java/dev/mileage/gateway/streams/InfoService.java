package dev.mileage.gateway.streams;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The database kind: a CSV table (the first line names the columns) searched by words while the
 * member's metered session is open. Tables are read once and kept, a few at most.
 */
final class InfoService {
  static final int TABLES_CACHED_MAX = 8;
  static final int RESULTS_MAX = 50;
  static final int QUERY_LENGTH_MAX = 100;

  record Table(List<String> columns, List<String[]> rows, List<String> lowered) {
  }

  private final Map<String, Table> tables = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Table> eldest) {
      return size() > TABLES_CACHED_MAX;
    }
  };

  /** Rows containing every word of {@code query} (case-insensitive), at most {@link #RESULTS_MAX}. Blocking. */
  JsonObject search(Path csv, String query) throws IOException {
    Table table = table(csv);
    String[] words = query.toLowerCase(Locale.ROOT).trim().split("\\s+");
    JsonArray rows = new JsonArray();
    int matches = 0;
    for (int i = 0; i < table.rows().size(); i++) {
      String line = table.lowered().get(i);
      boolean all = true;
      for (String w : words) {
        if (!line.contains(w)) {
          all = false;
          break;
        }
      }
      if (!all) continue;
      matches++;
      if (rows.size() < RESULTS_MAX) rows.add(new JsonArray(List.of((Object[]) table.rows().get(i))));
    }
    return new JsonObject().put("columns", new JsonArray(table.columns())).put("rows", rows).put("matches", matches)
        .put("truncated", matches > rows.size());
  }

  private Table table(Path csv) throws IOException {
    String key = csv.toString();
    synchronized (tables) {
      Table known = tables.get(key);
      if (known != null) return known;
    }
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<String> columns = List.of(lines.get(0).split(",", -1));
    List<String[]> rows = new ArrayList<>(lines.size());
    List<String> lowered = new ArrayList<>(lines.size());
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isEmpty()) continue;
      rows.add(lines.get(i).split(",", -1));
      lowered.add(lines.get(i).toLowerCase(Locale.ROOT));
    }
    Table table = new Table(columns, rows, lowered);
    synchronized (tables) {
      tables.put(key, table);
    }
    return table;
  }
}
