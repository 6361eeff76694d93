package dev.mileage.gateway.trading;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The HTTP feed pulled many times from a thread that is not the connection's event loop (as a scheduler or a
 * test does): every 200 must be read whole. Reading the body one composition level out of {@code send()} lost
 * it now and then ("0 bytes of application/json"), which made {@code RateFeedTest} flaky.
 */
@Timeout(120)
class HttpRateFeedTest {
  static final int PULLS = 300;

  @Test
  void everyPullFromAnotherThreadReadsTheWholeDocument() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      String doc = new JsonObject().put("cash", new JsonArray().add(new JsonObject().put("code", "CYBER_MONEY")
          .put("cashMicrosPerUnit", 1_000_000))).encode();
      HttpServer server = vertx.createHttpServer().requestHandler(req -> req.response()
          .putHeader("Content-Type", "application/json").end(doc)).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      HttpRateFeed feed = new HttpRateFeed(vertx, "http://127.0.0.1:" + server.actualPort() + "/rates");
      try {
        for (int i = 0; i < PULLS; i++) {
          List<RateFeed.Quote> quotes = feed.fetch().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
          assertEquals(1, quotes.size(), "pull " + i);
        }
      } finally {
        feed.close();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
