package dev.mileage.gateway.metering;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.http.Caller;
import io.vertx.core.Future;

import java.util.List;
import java.util.Set;

/**
 * Test code only: signs members in from an {@code X-Test-Member: <id>} header, standing in for the
 * shop's member sign-in, which is another engineer's work.
 */
final class TestMemberFeature implements Feature {
  static final String HEADER = "X-Test-Member";

  @Override
  public String name() {
    return "testmembers";
  }

  @Override
  public List<Authenticator> authenticators(GatewayContext context) {
    return List.of((request, source) -> {
      String id = request.getHeader(HEADER);
      if (id == null) return Future.succeededFuture();
      if (!id.matches("[0-9]{1,9}")) return Future.failedFuture(new IllegalArgumentException("bad test member"));
      return Future.succeededFuture(new Caller(Caller.Kind.MEMBER, id, Set.of()));
    });
  }
}
