package dev.mileage.gateway.sip;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Errors;
import dev.mileage.points.metering.UsageQuery;
import dev.mileage.points.metering.UsageRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/** Operator routes of the SIP feature under /api/v1/sip. */
final class SipApi {
  static final int CDR_LIMIT_DEFAULT = 50;

  private final SubscriberStore subscribers;
  private final Supplier<Optional<SipService>> service;
  private final GatewayContext context;

  SipApi(SubscriberStore subscribers, Supplier<Optional<SipService>> service, GatewayContext context) {
    this.subscribers = subscribers;
    this.service = service;
    this.context = context;
  }

  void mount(Router api) {
    api.route("/sip/*").handler(Access.role(Access.ROLE_OPERATOR));
    api.post("/sip/subscribers").handler(this::provision);
    api.delete("/sip/subscribers/:username").handler(this::remove);
    api.get("/sip/calls").handler(this::calls);
    api.delete("/sip/calls/:id").handler(this::endCall);
    api.get("/sip/cdrs").handler(this::cdrs);
  }

  private void provision(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      Errors.badRequest(ctx, "body must be a JSON object");
      return;
    }
    if (body == null) {
      Errors.badRequest(ctx, "body must be a JSON object with owner, username and password");
      return;
    }
    Object owner = body.getValue("owner");
    Object username = body.getValue("username");
    Object password = body.getValue("password");
    if (!(owner instanceof String o) || !(username instanceof String u) || !(password instanceof String p)) {
      Errors.badRequest(ctx, "owner, username and password must be strings");
      return;
    }
    subscribers.provision(o, u, p).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      switch (ar.result()) {
        case CREATED, UPDATED -> ctx.response().setStatusCode(ar.result() == SubscriberStore.ProvisionResult.CREATED ? 201 : 200)
            .putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("owner", o).put("username", u).put("result", ar.result().name()).encode());
        case INVALID_USERNAME -> Errors.badRequest(ctx, "username must be 1..64 of A-Z a-z 0-9 . _ -");
        case INVALID_OWNER -> Errors.badRequest(ctx, "owner must look like member:42");
        case INVALID_PASSWORD -> Errors.badRequest(ctx, "password must be " + SubscriberStore.PASSWORD_LENGTH_MIN + ".."
            + SubscriberStore.PASSWORD_LENGTH_MAX + " characters");
        case USERNAME_TAKEN -> Errors.send(ctx, 409, "username_taken", "the username belongs to another owner");
      }
    });
  }

  private void remove(RoutingContext ctx) {
    subscribers.remove(ctx.pathParam("username")).onComplete(ar -> {
      if (ar.failed()) ctx.fail(ar.cause());
      else if (ar.result()) ctx.response().setStatusCode(204).end();
      else Errors.notFound(ctx, "no such subscriber");
    });
  }

  private Optional<SipService> running(RoutingContext ctx) {
    Optional<SipService> s = service.get();
    if (s.isEmpty()) Errors.send(ctx, 503, "sip_not_running", "the SIP side is not running");
    return s;
  }

  private void calls(RoutingContext ctx) {
    running(ctx).ifPresent(s -> s.liveCalls().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonArray calls = new JsonArray();
      ar.result().forEach(c -> calls.add(c.toJson()));
      ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("calls", calls).encode());
    }));
  }

  private void endCall(RoutingContext ctx) {
    running(ctx).ifPresent(s -> s.endCall(ctx.pathParam("id")).onComplete(ar -> {
      if (ar.failed()) ctx.fail(ar.cause());
      else if (ar.result()) ctx.response().setStatusCode(204).end();
      else Errors.notFound(ctx, "no such live call");
    }));
  }

  private void cdrs(RoutingContext ctx) {
    String owner = ctx.queryParams().get("owner");
    int limit;
    Instant before;
    try {
      String l = ctx.queryParams().get("limit");
      limit = l == null ? CDR_LIMIT_DEFAULT : Integer.parseInt(l);
      String b = ctx.queryParams().get("before");
      before = b == null ? null : Instant.parse(b);
      if (limit < 1 || limit > UsageQuery.LIMIT_MAX) throw new IllegalArgumentException();
    } catch (RuntimeException e) {
      Errors.badRequest(ctx, "limit must be 1.." + UsageQuery.LIMIT_MAX + " and before an ISO-8601 instant");
      return;
    }
    running(ctx).ifPresent(s -> Future.fromCompletionStage(((SipVerticle) s).meter().usage(new UsageQuery(owner, before, limit)),
            context.vertx().getOrCreateContext())
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          JsonArray out = new JsonArray();
          for (UsageRecord r : ar.result()) {
            if (!r.service().name().equals("CALL")) continue;
            out.add(new JsonObject().put("sessionId", r.sessionId().toString()).put("owner", r.owner())
                .put("destination", r.destination()).put("reference", r.reference()).put("rated", r.rated())
                .put("authorizedAt", r.authorizedAt().toString())
                .put("answeredAt", r.answeredAt() == null ? null : r.answeredAt().toString())
                .put("endedAt", r.endedAt().toString()).put("durationSeconds", r.durationSeconds())
                .put("billedSeconds", r.billedSeconds()).put("points", r.points()).put("pointType", r.pointType())
                .put("reason", r.reason().name()));
          }
          ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("cdrs", out).encode());
        }));
  }
}
