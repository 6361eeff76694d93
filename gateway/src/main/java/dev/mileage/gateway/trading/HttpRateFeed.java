package dev.mileage.gateway.trading;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.time.Duration;
import java.util.List;

/** Rates from an HTTP(S) URL answering the JSON document of {@link RateFeed}; anything but a 200 fails the pull. */
public final class HttpRateFeed implements RateFeed {
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String url;
  private final HttpClient http;

  public HttpRateFeed(Vertx vertx, String url) {
    if (!url.matches("https?://\\S+")) throw new IllegalArgumentException("rate feed URL must be http(s): " + url);
    this.url = url;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) TIMEOUT.toMillis()));
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public Future<List<Quote>> fetch() {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
        .setIdleTimeout(TIMEOUT.toMillis()).putHeader("Accept", "application/json");
    // the response is read inside send()'s own composition: composed one level out, on a caller that is not
    // the connection's event loop, the body can arrive before body() is asked for and be lost (vert.x #4705)
    return http.request(options).compose(req -> req.send().compose(resp -> {
      if (resp.statusCode() != 200) {
        return resp.body().transform(x -> Future.failedFuture(new IllegalStateException("rate feed answered HTTP " + resp.statusCode())));
      }
      String length = resp.getHeader("Content-Length");
      if (length != null && length.length() < 12 && Long.parseLong(length) > DOCUMENT_BYTES_MAX) {
        return Future.failedFuture(new IllegalArgumentException("rate document over " + DOCUMENT_BYTES_MAX + " bytes"));
      }
      String type = resp.getHeader("Content-Type");
      return resp.body().map(document -> {
        try {
          return RateFeed.parse(document);
        } catch (IllegalArgumentException e) { // say what came, for whoever runs the feed
          throw new IllegalArgumentException(e.getMessage() + " (" + document.length() + " bytes of "
              + (type == null ? "no content type" : type) + ")", e);
        }
      });
    }));
  }

  public void close() {
    http.close();
  }
}
