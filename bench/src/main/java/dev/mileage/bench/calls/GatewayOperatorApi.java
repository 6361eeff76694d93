package dev.mileage.bench.calls;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Everything the bench asks of the gateway's operator HTTP API, in one place: fund subscribers through the
 * ledger, give them SIP credentials, read their accounts and the CDRs afterwards. Operator HTTP Basic auth.
 *
 * <p>The ledger paths are the gateway branch's ({@code /api/v1/ledger/...}, see openapi.yaml). The SIP subscriber
 * and CDR paths follow the sip branch's API; they are the constants below, so a rename is a one-line change.
 */
final class GatewayOperatorApi {
  static final String SIP_SUBSCRIBERS_PATH = "/api/v1/sip/subscribers";
  static final String CDRS_PATH = "/api/v1/sip/cdrs";
  static final int MILEAGE_POINT_TYPE = 1;
  /** Transfers per ledger request (the API allows 8190). */
  static final int TRANSFERS_PER_REQUEST = 1_000;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** A member's mileage account as the ledger reports it. */
  record MileageAccount(long id, long debitsPosted, long debitsPending, long creditsPosted, long available) {}

  /** One call detail record: the fields the cross-check needs. */
  record Cdr(String callId, String owner, long billedSeconds, long chargedPoints, long durationSeconds, String reason) {}

  /** The gateway answered something other than what the bench needs. */
  static final class ApiException extends IOException {
    final int status;

    ApiException(String what, int status, String body) {
      super(what + ": HTTP " + status + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
      this.status = status;
    }
  }

  private final HttpClient http;
  private final URI base;
  private final String authorization;

  GatewayOperatorApi(URI base, String operatorUser, String operatorPassword) {
    String host = base.getHost();
    if (!"127.0.0.1".equals(host) && !"localhost".equals(host) && !"[::1]".equals(host)) {
      throw new IllegalArgumentException("the bench only talks to loopback, not " + host);
    }
    this.base = base;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1)
        .build();
    this.authorization = "Basic " + Base64.getEncoder()
        .encodeToString((operatorUser + ":" + operatorPassword).getBytes(StandardCharsets.UTF_8));
  }

  /** Opens (idempotently) a mileage account; customer accounts may never go below zero. */
  long openMileageAccount(String owner, boolean customer) throws IOException {
    JsonObject body = new JsonObject().put("owner", owner).put("pointType", MILEAGE_POINT_TYPE);
    if (customer) body.put("flags", new JsonArray().add("DEBITS_MUST_NOT_EXCEED_CREDITS"));
    return send("POST", "/api/v1/ledger/accounts", body, "open account for " + owner).getLong("id");
  }

  /** Credits each account with {@code points} from the issuer, idempotent by {@code keyPrefix + accountId}. */
  void fund(long issuerAccountId, List<Long> accountIds, long points, String keyPrefix) throws IOException {
    for (int from = 0; from < accountIds.size(); from += TRANSFERS_PER_REQUEST) {
      JsonArray transfers = new JsonArray();
      for (long account : accountIds.subList(from, Math.min(accountIds.size(), from + TRANSFERS_PER_REQUEST))) {
        transfers.add(new JsonObject().put("key", keyPrefix + account).put("debitAccountId", issuerAccountId)
            .put("creditAccountId", account).put("amount", points).put("reference", "bench calls funding"));
      }
      JsonObject answer = send("POST", "/api/v1/ledger/transfers", new JsonObject().put("transfers", transfers),
          "fund subscribers");
      if (answer.getInteger("failed", 0) != 0) throw new ApiException("funding refused", 422, answer.encode());
    }
  }

  /** Sets the call tariff for an E.164 prefix (digits): {@code pointsPerMinute}, billed per second. */
  void putCallRate(String prefix, long pointsPerMinute) throws IOException {
    send("PUT", "/api/v1/metering/tariffs/calls/" + prefix, new JsonObject().put("label", "bench")
        .put("pointsPerMinute", pointsPerMinute).put("initialIncrementSeconds", 1).put("subsequentIncrementSeconds", 1),
        "set the call tariff for " + prefix);
  }

  /** Gives a member SIP digest credentials. */
  void createSipSubscriber(String username, String password, String owner) throws IOException {
    send("POST", SIP_SUBSCRIBERS_PATH, new JsonObject().put("username", username).put("password", password)
        .put("owner", owner), "create SIP subscriber " + username);
  }

  MileageAccount mileageAccount(String owner) throws IOException {
    JsonObject answer = send("GET", "/api/v1/ledger/owners/" + owner + "/accounts", null, "accounts of " + owner);
    for (Object item : answer.getJsonArray("accounts", new JsonArray())) {
      JsonObject account = (JsonObject) item;
      if (account.getInteger("pointType", -1) == MILEAGE_POINT_TYPE) {
        return new MileageAccount(account.getLong("id"), account.getLong("debitsPosted", 0L),
            account.getLong("debitsPending", 0L), account.getLong("creditsPosted", 0L),
            account.getJsonObject("balance", new JsonObject()).getLong("available", 0L));
      }
    }
    throw new ApiException("no mileage account for " + owner, 404, answer.encode());
  }

  /** The CDRs of an owner; empty when the gateway has no CDR API (the report says so). */
  Optional<List<Cdr>> cdrsOf(String owner) throws IOException {
    JsonObject answer;
    try {
      answer = send("GET", CDRS_PATH + "?owner=" + owner + "&limit=500", null, "CDRs of " + owner);
    } catch (ApiException e) {
      if (e.status == 404 || e.status == 405) return Optional.empty();
      throw e;
    }
    return Optional.of(answer.getJsonArray("cdrs", new JsonArray()).stream().map(o -> (JsonObject) o)
        // reference = the A-leg Call-ID (ours); points = what the call was charged
        .map(c -> new Cdr(c.getString("reference", ""), c.getString("owner", owner), c.getLong("billedSeconds", 0L),
            c.getLong("points", 0L), c.getLong("durationSeconds", 0L), c.getString("reason", "")))
        .toList());
  }

  private JsonObject send(String method, String path, JsonObject body, String what) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT)
        .header("Authorization", authorization).header("Accept", "application/json");
    if (body != null) {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + what, e);
    }
    if (response.statusCode() / 100 != 2) throw new ApiException(what, response.statusCode(), response.body());
    String text = response.body();
    return text.isBlank() ? new JsonObject() : new JsonObject(text);
  }
}
