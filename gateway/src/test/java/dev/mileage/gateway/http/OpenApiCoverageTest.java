package dev.mileage.gateway.http;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A feature route the OpenAPI document does not describe is named at start (it is not validated), and
 * the documented ones are not; authentication still applies to it.
 */
class OpenApiCoverageTest {
  @TempDir
  Path dataDir;

  static final class Undocumented implements Feature {
    @Override
    public String name() {
      return "undocumented";
    }

    @Override
    public void mountApi(Router api, GatewayContext context) {
      api.get("/undocumented/:thing").handler(ctx -> ctx.response().end("ok"));
    }
  }

  @Test
  void undocumentedRoutesAreReportedAtStart() throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override public void publish(LogRecord record) {
        warnings.add(record.getMessage());
      }
      @Override public void flush() {
      }
      @Override public void close() {
      }
    };
    Logger logger = Logger.getLogger(HttpApi.class.getName());
    logger.addHandler(capture);
    try (TestGateway gateway = new TestGateway(dataDir, List.of(new LedgerFeature(), new Undocumented()),
        new MutableClock(Instant.parse("2026-01-01T00:00:00Z")))) {
      String report = String.join("\n", warnings);
      assertTrue(report.contains("/api/v1/undocumented/{thing}"), report);
      assertTrue(!report.contains("/ledger/"), "documented routes are not reported: " + report);
      assertEquals(401, gateway.send(io.vertx.core.http.HttpMethod.GET, "/api/v1/undocumented/x", null, null, null)
          .statusCode());
      assertEquals(200, gateway.get("/api/v1/undocumented/x").statusCode());
    } finally {
      logger.removeHandler(capture);
    }
  }
}
