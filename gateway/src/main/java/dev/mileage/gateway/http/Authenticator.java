package dev.mileage.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * Recognises one kind of credential. Answers an empty-succeeded future ({@code null}) when the request
 * carries none of its kind, a {@link Caller} when they are valid, and a failed future when they are
 * present but wrong (the HTTP layer answers 401 without saying which part was wrong).
 */
public interface Authenticator {
  /** @param source the caller's address for per-source limits ({@link ClientAddress#of}) */
  Future<Caller> authenticate(HttpServerRequest request, String source);
}
