package dev.mileage.gateway.certificates;

import dev.mileage.fixtures.sip.SmsMessage;
import dev.mileage.fixtures.sip.Smsc;
import dev.mileage.gateway.Feature;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.SipSmsSender;
import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real gateway (ledger, members, certificates) on embedded PostgreSQL, the SMSC fixture receiving every
 * SMS over SIP MESSAGE, the sandbox card provider, a movable clock, and browser-like member clients.
 */
final class CertHarness implements AutoCloseable {
  static final String PASSWORD = "correct-horse-battery";
  static final int PER_CERTIFICATE = 5;
  static final int PER_STORE = 12;
  static final int PER_SOURCE = 40;
  static final int OVERALL = 1_000;
  private static final AtomicInteger PHONES = new AtomicInteger(5000);

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T10:00:00Z"));
  /** Replaced by {@link #restartSmsc}. */
  volatile Smsc smsc;
  final SipSmsSender sms;
  final SandboxPaymentProvider payments;
  final TestGateway gateway;
  final CertificatesFeature feature;
  /** The bank provider's deposit-return side (simulated, on loopback), which may outlive this gateway. */
  final Bank bank;
  private final boolean ownsBank;

  /** The simulated bank provider on its own Vert.x, with its own secret, answering within {@link #BANK_TIMEOUT}. */
  static final class Bank implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final String secret = SandboxBank.newSecret();
    final SandboxBank sim;

    Bank() throws Exception {
      sim = SandboxBank.start(vertx, secret).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      sim.close();
      vertx.close();
    }
  }

  /**
   * The production default: a real answer later than this is recorded as none (the return stays OWED until a backoff
   * on the test's clock, which nothing advances), so a 3 s stall of a loaded machine failed the tests waiting for
   * SENT. Only a test that loses an answer on purpose waits it out, once.
   */
  static final Duration BANK_TIMEOUT = CertificatesOptions.BANK_TIMEOUT_DEFAULT;

  CertHarness(Path dataDir) throws Exception {
    this(dataDir, PER_CERTIFICATE, PER_STORE, PER_SOURCE, OVERALL);
  }

  CertHarness(Path dataDir, int perCertificate, int perStore, int perSource, int overall) throws Exception {
    this(dataDir, perCertificate, perStore, perSource, overall, false);
  }

  /** @param textOnlySmsc an SMSC of the SMS-only kind, which refuses MMS-like (multipart) messages */
  CertHarness(Path dataDir, int perCertificate, int perStore, int perSource, int overall, boolean textOnlySmsc) throws Exception {
    this(dataDir, perCertificate, perStore, perSource, overall, textOnlySmsc, new SandboxPaymentProvider());
  }

  /** A gateway on {@code dataDir} (a restart when a gateway used it before) with this payment provider (its webhook key). */
  CertHarness(Path dataDir, SandboxPaymentProvider payments) throws Exception {
    this(dataDir, PER_CERTIFICATE, PER_STORE, PER_SOURCE, OVERALL, false, payments, null);
  }

  /** As {@link #CertHarness(Path, SandboxPaymentProvider)} with this bank provider (it outlives the gateway). */
  CertHarness(Path dataDir, SandboxPaymentProvider payments, Bank bank) throws Exception {
    this(dataDir, PER_CERTIFICATE, PER_STORE, PER_SOURCE, OVERALL, false, payments, bank);
  }

  private CertHarness(Path dataDir, int perCertificate, int perStore, int perSource, int overall, boolean textOnlySmsc,
                      SandboxPaymentProvider payments) throws Exception {
    this(dataDir, perCertificate, perStore, perSource, overall, textOnlySmsc, payments, null);
  }

  /** The default limits with these settings changed (e.g. the webhooks' bad-signature limit). */
  CertHarness(Path dataDir, java.util.function.UnaryOperator<CertificatesOptions> settings) throws Exception {
    this(dataDir, PER_CERTIFICATE, PER_STORE, PER_SOURCE, OVERALL, false, new SandboxPaymentProvider(), null, settings, m -> m);
  }

  /** The default limits with these certificate and member settings changed (e.g. the hash budgets). */
  CertHarness(Path dataDir, java.util.function.UnaryOperator<CertificatesOptions> settings,
              java.util.function.UnaryOperator<MembersOptions> memberSettings) throws Exception {
    this(dataDir, PER_CERTIFICATE, PER_STORE, PER_SOURCE, OVERALL, false, new SandboxPaymentProvider(), null, settings,
        memberSettings);
  }

  private CertHarness(Path dataDir, int perCertificate, int perStore, int perSource, int overall, boolean textOnlySmsc,
                      SandboxPaymentProvider payments, Bank givenBank) throws Exception {
    this(dataDir, perCertificate, perStore, perSource, overall, textOnlySmsc, payments, givenBank, o -> o, m -> m);
  }

  private CertHarness(Path dataDir, int perCertificate, int perStore, int perSource, int overall, boolean textOnlySmsc,
                      SandboxPaymentProvider payments, Bank givenBank,
                      java.util.function.UnaryOperator<CertificatesOptions> settings,
                      java.util.function.UnaryOperator<MembersOptions> memberSettings) throws Exception {
    this.payments = payments;
    this.ownsBank = givenBank == null;
    this.bank = givenBank == null ? new Bank() : givenBank;
    smsc = textOnlySmsc ? Smsc.startTextOnly() : Smsc.start();
    SipSmsSender sender = null;
    try {
      sender = new SipSmsSender(smsc.uri(), "127.0.0.1");
      MembersOptions members = memberSettings.apply(MembersOptions.defaults().withSmscUri(smsc.uri()));
      CertificatesOptions options = settings.apply(CertificatesOptions.defaults().withLimits(perCertificate, perStore, perSource, overall)
          .withBank(bank.sim.url(), bank.secret, BANK_TIMEOUT));
      feature = new CertificatesFeature(options, payments, sender, new PasswordHasher(CertificatesOptions.PIN_HASH_MEMORY_KIB, 1, 1));
      List<Feature> features = List.of(new LedgerFeature(), new MembersFeature(members, new PasswordHasher(8 * 1024, 1, 1)), feature);
      gateway = new TestGateway(dataDir, features, clock);
      bank.sim.notifyTo("http://127.0.0.1:" + gateway.app.httpPort() + CertificatesFeature.RETURN_NOTICE_PATH);
    } catch (Exception e) {
      if (sender != null) sender.close();
      smsc.close();
      if (ownsBank) bank.close();
      throw e;
    }
    sms = sender;
  }

  /** The SMSC comes back on the same address after {@code smsc.close()} (an outage ends). */
  void restartSmsc() throws Exception {
    smsc = Smsc.start("127.0.0.1", smsc.port());
  }

  int port() {
    return gateway.app.httpPort();
  }

  static String newPhone() {
    return "+8210" + String.format("%08d", PHONES.incrementAndGet());
  }

  /** The first SMS to {@code phone} whose text matches, waiting up to 10 s. */
  SmsMessage awaitSms(String phone, Predicate<String> body) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      Optional<SmsMessage> m = smsc.received().stream().filter(s -> s.to().equals(phone) && body.test(s.body())).findFirst();
      if (m.isPresent()) return m.get();
      Thread.sleep(20);
    }
    throw new AssertionError("no matching SMS to " + phone + "; received: " + smsc.received().stream()
        .filter(s -> s.to().equals(phone)).map(SmsMessage::body).toList());
  }

  long smsCount(String phone) {
    return smsc.received().stream().filter(s -> s.to().equals(phone)).count();
  }

  /** A browser-like client: keeps cookies, sends the CSRF token. */
  final class Member {
    final WebClientSession web = WebClientSession.create(gateway.client);
    final String login;
    final String phone;
    final String name;
    String csrf;
    long id;

    Member(String login) {
      this(login, newPhone());
    }

    Member(String login, String phone) {
      this.login = login;
      this.phone = phone;
      this.name = "Tester " + login;
    }

    HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) throws Exception {
      var req = web.request(method, path);
      if (csrf != null) req.putHeader("X-CSRF-Token", csrf);
      var f = body == null ? req.send() : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.encode()));
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
      return call(HttpMethod.POST, path, body);
    }

    HttpResponse<Buffer> get(String path) throws Exception {
      return call(HttpMethod.GET, path, null);
    }

    Member ready() throws Exception {
      check(post("/auth/sign-up", new JsonObject().put("loginId", login).put("password", PASSWORD).put("name", name)
          .put("phone", phone).put("address", "1 Test-ro, Seoul")), 201);
      String text = awaitSms(phone, b -> b.contains("verification code")).body();
      Matcher m = Pattern.compile("([0-9]{6})").matcher(text);
      if (!m.find()) throw new AssertionError("no code in the SMS");
      check(post("/auth/verify-phone", new JsonObject().put("loginId", login).put("code", m.group(1))), 200);
      return signIn();
    }

    /** Signs in (again: e.g. after the clock moved past the session's lifetime). */
    Member signIn() throws Exception {
      HttpResponse<Buffer> r = check(post("/auth/sign-in", new JsonObject().put("loginId", login).put("password", PASSWORD)), 200);
      csrf = r.bodyAsJsonObject().getString("csrfToken");
      id = r.bodyAsJsonObject().getLong("memberId");
      return this;
    }

    HttpResponse<Buffer> buy(long itemId, int sheets, String settlement, String cardToken) throws Exception {
      return buy(UUID.randomUUID().toString(), itemId, sheets, settlement, cardToken);
    }

    HttpResponse<Buffer> buy(String key, long itemId, int sheets, String settlement, String cardToken) throws Exception {
      return post("/api/v1/certificates/purchases", new JsonObject().put("requestKey", key).put("itemId", itemId)
          .put("sheets", sheets).put("settlement", settlement).put("cardToken", cardToken));
    }

    JsonArray mine() throws Exception {
      return check(get("/api/v1/certificates/mine"), 200).bodyAsJsonArray();
    }

    JsonObject certificate(long id) throws Exception {
      for (Object o : mine()) if (((JsonObject) o).getLong("id") == id) return (JsonObject) o;
      return null;
    }
  }

  /** A store registered by the operator; answers {id, apiKey}. */
  JsonObject store(String name) throws Exception {
    return check(gateway.post("/api/v1/certificates/admin/stores", new JsonObject().put("name", name).put("chain", "Test Mart")), 201)
        .bodyAsJsonObject();
  }

  HttpResponse<Buffer> pos(String apiKey, String code, String pin, long amountWon, String txn) throws Exception {
    var req = gateway.client.request(HttpMethod.POST, "/api/v1/certificates/pos/redemptions").putHeader("X-Store-Key", apiKey)
        .putHeader("Content-Type", "application/json");
    return req.sendBuffer(Buffer.buffer(new JsonObject().put("code", code).put("pin", pin).put("amountWon", amountWon)
        .put("transactionId", txn).encode())).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** A catalog item id by issuer and face value. */
  long item(String issuer, long faceValueWon) throws Exception {
    var r = check(gateway.send(HttpMethod.GET, "/certificates/catalog", null, null, null), 200).bodyAsJsonObject();
    for (Object o : r.getJsonArray("items")) {
      JsonObject i = (JsonObject) o;
      if (i.getString("issuer").equals(issuer) && i.getLong("faceValueWon") == faceValueWon) return i.getLong("id");
    }
    throw new AssertionError("no catalog item " + issuer + " " + faceValueWon);
  }

  /** Posts a deposit notice as the payment provider's webhook does (no session, the signature in its header). */
  HttpResponse<Buffer> postNotice(PaymentProvider.DepositNotice n) throws Exception {
    return gateway.client.request(HttpMethod.POST, "/certificates/bank-transfers/deposits")
        .putHeader("Content-Type", "application/json").putHeader(BankTransferRoutes.SIGNATURE_HEADER, n.signature())
        .sendBuffer(Buffer.buffer(n.payload())).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Transfers the ledger answered after a commit (idempotent repeats included), read from /metrics. */
  long ledgerTransfersCommitted() throws Exception {
    String metrics = check(gateway.send(HttpMethod.GET, "/metrics", null, null, null), 200).bodyAsString();
    Matcher m = Pattern.compile("(?m)^ledger_transfers_committed_total(?:\\{[^}]*\\})? ([0-9.E]+)$").matcher(metrics);
    if (!m.find()) throw new AssertionError("no ledger_transfers_committed_total in /metrics");
    return (long) Double.parseDouble(m.group(1));
  }

  void advancePastGuessWindow() {
    clock.advance(CertificatesOptions.defaults().guessWindow().plus(Duration.ofSeconds(1)));
  }

  static HttpResponse<Buffer> check(HttpResponse<Buffer> r, int status) {
    if (r.statusCode() != status) throw new AssertionError("expected " + status + " but got " + r.statusCode() + ": " + r.bodyAsString());
    return r;
  }

  /** Sends the due deposit returns now, as the feature's timer does every few seconds; answers how many the bank took. */
  int dispatchReturns() throws Exception {
    return feature.dispatchReturns().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** One deposit return as the operator API lists it. */
  JsonObject depositReturn(long id) throws Exception {
    Long after = 0L;
    for (int pages = 0; after != null && pages < 1_000; pages++) {
      JsonObject page = check(gateway.get("/api/v1/certificates/admin/deposit-returns?limit=200&after=" + after), 200).bodyAsJsonObject();
      for (Object o : page.getJsonArray("returns")) if (((JsonObject) o).getLong("id") == id) return (JsonObject) o;
      after = page.getLong("next");
    }
    throw new AssertionError("no deposit return " + id);
  }

  /** Waits (bounded) until {@code check} holds, re-reading it every 50 ms. */
  static void await(String what, java.util.concurrent.Callable<Boolean> check) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!check.call()) {
      if (Instant.now().isAfter(deadline)) throw new AssertionError("not within 30 s: " + what);
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    gateway.close();
    sms.close();
    smsc.close();
    if (ownsBank) bank.close();
  }
}
