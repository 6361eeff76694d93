package dev.mileage.gateway.trading;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.List;

/** Rates from a JSON file (see {@link RateFeed}), re-read at every pull: an operator or a job rewrites it. */
public final class FileRateFeed implements RateFeed {
  private final Vertx vertx;
  private final Path file;

  public FileRateFeed(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file;
  }

  @Override
  public String name() {
    return "file:" + file.getFileName();
  }

  @Override
  public Future<List<Quote>> fetch() {
    return vertx.fileSystem().props(file.toString()).compose(props -> {
      if (props.size() > DOCUMENT_BYTES_MAX) return Future.failedFuture(new IllegalArgumentException("rate file over " + DOCUMENT_BYTES_MAX + " bytes"));
      return vertx.fileSystem().readFile(file.toString()).map(RateFeed::parse);
    });
  }
}
