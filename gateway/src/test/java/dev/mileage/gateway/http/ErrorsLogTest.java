package dev.mileage.gateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failed request is logged by its route's pattern: a secret in the path (a claim token) never reaches the log. */
class ErrorsLogTest {
  @Test
  void anInternalErrorLogsTheRoutePatternNotThePath() throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override public void publish(LogRecord r) {
        logged.add(r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown()));
      }
      @Override public void flush() { }
      @Override public void close() { }
    };
    Logger logger = Logger.getLogger(Errors.class.getName());
    logger.addHandler(capture);
    Vertx vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      router.get("/api/v1/claims/:token").handler(ctx -> {
        throw new IllegalStateException("a bug");
      }).failureHandler(Errors::fromFailure);
      HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      WebClient client = WebClient.create(vertx);
      String secret = "s3cr3t-claim-token-8f2a";
      int status = client.get(server.actualPort(), "127.0.0.1", "/api/v1/claims/" + secret).send()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).statusCode();
      assertEquals(500, status);
      assertTrue(logged.stream().anyMatch(l -> l.contains("GET /api/v1/claims/:token")), logged.toString());
      assertFalse(logged.stream().anyMatch(l -> l.contains(secret)), "the token is not logged: " + logged);
      client.close();
    } finally {
      logger.removeHandler(capture);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
