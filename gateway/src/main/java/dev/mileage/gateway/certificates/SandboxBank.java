package dev.mileage.gateway.certificates;

import dev.mileage.gateway.trading.PartnerSignature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bank provider's deposit-return API as the demo and the tests meet it: an HTTP server on loopback that takes
 * signed return instructions ({@code POST /v1/deposit-returns}), answers them signed, idempotently by instruction
 * id (a repeat gets the first answer and moves no more money), answers signed status queries
 * ({@code POST /v1/deposit-returns/status}) with an instruction's settlement (or that it does not know it), and posts a signed settlement
 * notice to the merchant (again every few seconds until the merchant takes it). It refuses accounts it cannot pay (an empty
 * one, or one whose name has {@link #CLOSED_MARK}). Seeded faults for tests: answer 503 before doing anything, do
 * the work but lose the answer (a timeout for the merchant), hold settlement notices until released, lose an
 * accepted instruction before paying it, answer status queries 503. Remembers at
 * most {@link #INSTRUCTIONS_MAX} instructions.
 */
final class SandboxBank implements AutoCloseable {
  static final String CLOSED_MARK = "CLOSED";
  static final int INSTRUCTIONS_MAX = 100_000;
  static final int BODY_BYTES_MAX = 4_096;
  static final int HELD_NOTICES_MAX = 10_000;
  /** Notices the merchant did not take are posted again this often, as providers retry their webhooks. */
  static final long NOTICE_RETRY_MS = 5_000;

  /** @param notice the settlement notice of an accepted instruction (null for a refusal) */
  private record Answered(long amountWon, int status, String body, String notice, String reason) { }

  private final Vertx vertx;
  private final String secret;
  private final HttpClient client;
  private HttpServer server;
  private long retryTimer = -1;
  private volatile String notifyUrl;
  private final Map<String, Answered> answered = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Answered> eldest) {
      return size() > INSTRUCTIONS_MAX;
    }
  };
  private final Deque<String> held = new ArrayDeque<>();
  private final AtomicInteger failNext = new AtomicInteger();
  private final AtomicInteger loseNext = new AtomicInteger();
  private final AtomicInteger failStatusNext = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger statusQueries = new AtomicInteger();
  private boolean holdNotices;
  private boolean refuseClosed = true;
  private long sequence;
  private long returnedWon;
  private int payouts;

  private SandboxBank(Vertx vertx, String secret) {
    this.vertx = vertx;
    this.secret = secret;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(5_000));
  }

  /** A fresh random secret, as a real provider's dashboard would issue one. */
  static String newSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Listens on 127.0.0.1 (a free port), signing with {@code secret}. */
  static Future<SandboxBank> start(Vertx vertx, String secret) {
    SandboxBank bank = new SandboxBank(vertx, secret);
    return vertx.createHttpServer().requestHandler(bank::handle).listen(0, "127.0.0.1").map(s -> {
      bank.server = s;
      bank.retryTimer = vertx.setPeriodic(NOTICE_RETRY_MS, t -> {
        synchronized (bank) {
          if (bank.holdNotices || bank.held.isEmpty()) return;
        }
        bank.releaseNotices();
      });
      return bank;
    });
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Where settlement notices go (the merchant's {@code /certificates/bank-transfers/returns}). */
  void notifyTo(String url) {
    this.notifyUrl = url;
  }

  private void handle(HttpServerRequest req) {
    boolean query = req.path().equals(BankProvider.STATUS_PATH);
    if (req.method() != HttpMethod.POST || !query && !req.path().equals(BankProvider.INSTRUCTION_PATH)) {
      req.response().setStatusCode(404).end();
      return;
    }
    req.body().onSuccess(body -> {
      (query ? statusQueries : requests).incrementAndGet();
      if (body.length() > BODY_BYTES_MAX) {
        req.response().setStatusCode(413).end();
        return;
      }
      String signature = req.getHeader(BankTransferRoutes.SIGNATURE_HEADER);
      if (signature == null || !PartnerSignature.same(PartnerSignature.hmac(secret, body.toString()), signature)) {
        req.response().setStatusCode(401).putHeader("Content-Type", "application/json").end("{\"error\":\"bad_signature\"}");
        return;
      }
      if (query) {
        if (failStatusNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          req.response().setStatusCode(503).end("{\"error\":\"unavailable\"}");
          return;
        }
        status(req, body.toString());
        return;
      }
      if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        req.response().setStatusCode(503).end("{\"error\":\"unavailable\"}");
        return;
      }
      Answered a;
      try {
        a = decide(new JsonObject(body.toString()));
      } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
        req.response().setStatusCode(400).end("{\"error\":\"invalid_request\"}");
        return;
      }
      if (loseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) return; // done, but the answer never arrives
      req.response().setStatusCode(a.status()).putHeader("Content-Type", "application/json")
          .putHeader(BankTransferRoutes.SIGNATURE_HEADER, PartnerSignature.hmac(secret, a.body())).end(a.body());
    });
  }

  /**
   * A signed status query, answered signed: a settled instruction's settlement (COMPLETED, or REFUSED with the
   * reason), else 404 {@code {type: deposit-return.status, instructionId, status: UNKNOWN}}: an instruction it
   * never took, or {@linkplain #forget forgot}.
   */
  private void status(HttpServerRequest req, String body) {
    String instructionId;
    String settled = null;
    try {
      JsonObject q = new JsonObject(body);
      instructionId = q.getString("instructionId");
      if (!BankProvider.TYPE_STATUS_QUERY.equals(q.getString("type")) || instructionId == null) {
        throw new IllegalArgumentException("not a status query");
      }
      Object returnId = q.getValue("returnId");
      synchronized (this) {
        Answered a = answered.get(instructionId);
        if (a != null && a.notice() != null) {
          settled = a.notice();
        } else if (a != null) {
          settled = new JsonObject().put("type", BankProvider.TYPE_SETTLED).put("instructionId", instructionId)
              .put("returnId", returnId).put("amountWon", a.amountWon()).put("outcome", "REFUSED").put("reason", a.reason()).encode();
        }
      }
    } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
      req.response().setStatusCode(400).end("{\"error\":\"invalid_request\"}");
      return;
    }
    String answer = settled != null ? settled : new JsonObject().put("type", BankProvider.TYPE_STATUS)
        .put("instructionId", instructionId).put("status", "UNKNOWN").encode();
    req.response().setStatusCode(settled != null ? 200 : 404).putHeader("Content-Type", "application/json")
        .putHeader(BankTransferRoutes.SIGNATURE_HEADER, PartnerSignature.hmac(secret, answer)).end(answer);
  }

  private synchronized Answered decide(JsonObject j) {
    if (!BankProvider.TYPE_INSTRUCTION.equals(j.getString("type"))) throw new IllegalArgumentException("not an instruction");
    String id = j.getString("instructionId");
    long amount = j.getLong("amountWon");
    long returnId = j.getLong("returnId");
    String account = j.getString("payerAccount", "");
    if (id == null || amount <= 0) throw new IllegalArgumentException("incomplete");
    Answered before = answered.get(id);
    if (before != null) {
      return before.amountWon() == amount ? before : answer(id, 409, "REFUSED", null, "instruction id reused for another amount");
    }
    Answered a;
    String notice = null;
    if (account.isBlank() || refuseClosed && account.toUpperCase(java.util.Locale.ROOT).contains(CLOSED_MARK)) {
      a = answer(id, 422, "REFUSED", null, account.isBlank() ? "no account to return the money to" : "the payer's account is closed");
    } else {
      String reference = "sbx_rt_" + (++sequence);
      a = answer(id, 201, "ACCEPTED", reference, null);
      returnedWon += amount;
      payouts++;
      notice = new JsonObject().put("type", BankProvider.TYPE_SETTLED).put("instructionId", id).put("returnId", returnId)
          .put("amountWon", amount).put("outcome", "COMPLETED").put("reference", reference).encode();
      if (held.size() < HELD_NOTICES_MAX) held.add(notice);
      if (!holdNotices) vertx.runOnContext(v -> releaseNotices());
    }
    Answered done = new Answered(amount, a.status(), a.body(), notice, a.reason());
    answered.put(id, done);
    return done;
  }

  private static Answered answer(String id, int status, String state, String reference, String reason) {
    JsonObject b = new JsonObject().put("type", BankProvider.TYPE_ANSWER).put("instructionId", id).put("status", state);
    if (reference != null) b.put("reference", reference);
    if (reason != null) b.put("reason", reason);
    return new Answered(0, status, b.encode(), null, reason);
  }

  /**
   * Posts every held settlement notice. One the merchant could not take (no answer, 5xx) is held for the next
   * release; one it refused (4xx) is dropped, as a real provider stops at a final answer.
   */
  Future<Integer> releaseNotices() {
    List<String> out;
    synchronized (this) {
      out = new ArrayList<>(held);
      held.clear();
    }
    List<Future<Boolean>> posted = new ArrayList<>();
    for (String n : out) posted.add(post(n).recover(e -> Future.succeededFuture(false)).map(taken -> {
      if (!taken) {
        synchronized (this) {
          if (held.size() < HELD_NOTICES_MAX) held.add(n);
        }
      }
      return taken;
    }));
    return Future.join(posted).transform(ar -> {
      int ok = 0;
      for (Future<Boolean> f : posted) if (f.succeeded() && f.result()) ok++;
      return Future.succeededFuture(ok);
    });
  }

  private Future<Boolean> post(String notice) {
    String url = notifyUrl;
    if (url == null) return Future.succeededFuture(false);
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setIdleTimeout(5_000)
            .putHeader("Content-Type", "application/json")
            .putHeader(BankTransferRoutes.SIGNATURE_HEADER, PartnerSignature.hmac(secret, notice)))
        .compose(r -> r.send(Buffer.buffer(notice)).compose(resp -> resp.body().map(b -> resp.statusCode() < 500)));
  }

  /** Tests: the notice the bank would post with this exact payload (a bank re-sending or misreporting). */
  String sign(String payload) {
    return PartnerSignature.hmac(secret, payload);
  }

  void failNext(int n) {
    failNext.set(n);
  }

  void loseAnswers(int n) {
    loseNext.set(n);
  }

  /** Tests: the next {@code n} status queries are answered 503 (the provider is down for them). */
  void failStatusQueries(int n) {
    failStatusNext.set(n);
  }

  /**
   * Tests: the provider loses an accepted instruction before paying it (a queue dropped, a failover): no payout, no
   * notice, and its status is UNKNOWN; the same id sent again is a new instruction to it. False if it had none.
   */
  synchronized boolean forget(String instructionId) {
    Answered a = answered.remove(instructionId);
    if (a == null) return false;
    if (a.notice() != null) {
      returnedWon -= a.amountWon();
      payouts--;
      held.remove(a.notice());
    }
    return true;
  }

  /** Tests: false plays the payer's bank reopening the account, so a retried return goes through. */
  synchronized void refuseClosedAccounts(boolean refuse) {
    refuseClosed = refuse;
  }

  synchronized void holdNotices(boolean hold) {
    holdNotices = hold;
  }

  synchronized int heldNotices() {
    return held.size();
  }

  /** Status queries that reached the bank (signed or not, answered or not). */
  int statusQueries() {
    return statusQueries.get();
  }

  /** Instruction requests that reached the bank (signed or not, answered or not). */
  int requests() {
    return requests.get();
  }

  /** Money sent back to payers: each accepted instruction once, however often it was repeated. */
  synchronized long returnedWon() {
    return returnedWon;
  }

  synchronized int payouts() {
    return payouts;
  }

  @Override
  public void close() {
    if (retryTimer >= 0) vertx.cancelTimer(retryTimer);
    client.close();
    if (server != null) server.close();
  }
}
