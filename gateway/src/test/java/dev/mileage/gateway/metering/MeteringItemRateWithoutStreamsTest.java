package dev.mileage.gateway.metering;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A gateway with metering and no streams feature (real HTTP, embedded PostgreSQL): an item quote says
 * clearly that stream items are not served here, while numbers and kinds are still rated.
 */
class MeteringItemRateWithoutStreamsTest {
  @TempDir
  Path dataDir;

  @Test
  void anItemQuoteWithoutTheStreamsFeatureIsRefusedClearly() throws Exception {
    try (TestGateway g = new TestGateway(dataDir, List.of(new LedgerFeature(), new MeteringFeature()),
        new MutableClock(Instant.parse("2026-11-23T09:00:00Z")))) {
      HttpResponse<Buffer> item = g.get("/api/v1/metering/rate?itemId=1");
      assertEquals(503, item.statusCode(), item.bodyAsString());
      assertEquals("streams_unavailable", item.bodyAsJsonObject().getString("error"));
      assertFalse(item.bodyAsJsonObject().getString("reason").isBlank());
      HttpResponse<Buffer> kind = g.get("/api/v1/metering/rate?kind=VIDEO");
      assertEquals(200, kind.statusCode(), kind.bodyAsString());
      assertEquals(400, g.get("/api/v1/metering/rate?itemId=x").statusCode());
    }
  }
}
