package dev.mileage.gateway.members;

import dev.mileage.gateway.http.AuthenticationException;
import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.http.Caller;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Session cookie to a MEMBER caller. A state-changing request must also carry the session's CSRF token in
 * {@code X-CSRF-Token} (the cookie is SameSite=Strict as well; both, because either alone has gaps in
 * some browsers). An unknown or expired session counts as no credentials, so the page can sign in again.
 */
public final class SessionAuthenticator implements Authenticator {
  public static final String ROLE = "member";
  private final SessionService sessions;

  public SessionAuthenticator(SessionService sessions) {
    this.sessions = sessions;
  }

  @Override
  public Future<Caller> authenticate(HttpServerRequest request, String source) {
    Cookie cookie = request.getCookie(SessionService.COOKIE);
    if (cookie == null) return Future.succeededFuture(null);
    return sessions.lookup(cookie.getValue()).compose(s -> {
      if (s == null) return Future.succeededFuture(null);
      if (stateChanging(request.method()) && !sameToken(request.getHeader(SessionService.CSRF_HEADER), s.csrfToken())) {
        return Future.failedFuture(new AuthenticationException(401, "missing or wrong CSRF token"));
      }
      return Future.succeededFuture(new Caller(Caller.Kind.MEMBER, Long.toString(s.memberId()), Set.of(ROLE)));
    });
  }

  static boolean stateChanging(HttpMethod m) {
    return !(m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS);
  }

  static boolean sameToken(String given, String expected) {
    return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        expected.getBytes(StandardCharsets.UTF_8));
  }
}
