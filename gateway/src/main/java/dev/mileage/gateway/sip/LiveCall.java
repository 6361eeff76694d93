package dev.mileage.gateway.sip;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Objects;

/** A call in progress, as the operator API lists it. */
public record LiveCall(String id, String owner, String username, String number, String state, Instant createdAt,
                       Instant answeredAt, String sessionId) {
  public LiveCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("owner", owner).put("username", username).put("number", number)
        .put("state", state).put("createdAt", createdAt.toString())
        .put("answeredAt", answeredAt == null ? null : answeredAt.toString()).put("sessionId", sessionId);
  }
}
