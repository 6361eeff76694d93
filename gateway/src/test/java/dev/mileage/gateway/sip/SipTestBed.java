package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.fixtures.sip.TrunkOptions;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.MeterOptions;
import dev.mileage.points.metering.Meters;
import dev.mileage.points.metering.Tariff;
import dev.mileage.points.metering.UsageRecord;
import dev.mileage.points.metering.store.PgMeterStore;
import dev.mileage.points.metering.store.PgTariffs;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Everything a call needs, real and on loopback: embedded PostgreSQL, the ledger, the meter with
 * tariffs, the SIP verticle on a free port, and the simulated trunk. One per test class.
 */
final class SipTestBed implements AutoCloseable {
  /**
   * Media ports of the test beds: a block of 200 per test JVM below both the gateway's default range
   * (20000-59998) and the kernel's ephemeral ports (32768-60999), so a gateway or a bench running on the same
   * host cannot fill them (it did: every call of a test bed got 503 while a bench held thousands of calls).
   * A bed uses the first 100, a second gateway of the same test the next 100 ({@link #SECOND_RTP_PORT_BASE}).
   */
  static final int RTP_PORT_BASE = 10000 + (int) (ProcessHandle.current().pid() % 45) * 200;
  static final int SECOND_RTP_PORT_BASE = RTP_PORT_BASE + 100;

  static final Duration WAIT = Duration.ofSeconds(15);
  /** +1555: 60 points a minute, per-second billing: a point a second, so billed seconds = points. */
  static final Tariff PER_SECOND = Tariff.of(60, 1, 1, 0);
  static final String PASSWORD = "correct-horse-battery";

  final Database db;
  final Vertx vertx = Vertx.vertx();
  final Pool pool;
  final ManagedLedger ledger;
  final Meter meter;
  final SimulatedTrunk trunk;
  final SipVerticle sip;
  final SubscriberStore subscribers;
  final Clock clock = Clock.systemUTC();
  /** The SIP verticle's clock: real time, but a test may jump it ahead (nonce expiry) instead of sleeping. */
  final SkippingClock sipClock = new SkippingClock();
  private Account issuer;
  /** Owners given SIP accounts: idle means none of them has a reservation left open either. */
  private final java.util.Set<String> members = java.util.concurrent.ConcurrentHashMap.newKeySet();

  SipTestBed(Path dataDir, UnaryOperator<TrunkOptions> trunkOptions, UnaryOperator<SipOptions> sipOptions) throws Exception {
    db = Database.embedded(dataDir);
    db.migrate("metering");
    db.migrate("sip");
    ledger = await(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock));
    Database.ConnectionInfo c = db.connection();
    pool = c.pool(vertx, 4);
    PgTariffs tariffs = await(PgTariffs.load(pool));
    await(tariffs.putCallRate(CallRate.rated("1555", "demo", PER_SECOND)));
    await(tariffs.putCallRate(CallRate.rated("44", "UK", Tariff.of(120, 60, 6, 0))));
    await(tariffs.putCallRate(CallRate.blocked("1900", "US premium")));
    await(tariffs.putCallRate(CallRate.blocked("882", "international networks")));
    meter = await(Meters.start(ledger, new PgMeterStore(pool), tariffs, MeterOptions.defaults()
        .withGrant(Duration.ofSeconds(10)).withSessionsPerAccountMax(20), clock));
    issuer = await(ledger.openAccount("operator:issuance", StandardPointTypes.MILEAGE, AccountFlags.NONE));
    trunk = SimulatedTrunk.start(trunkOptions.apply(TrunkOptions.defaults()));
    subscribers = new SubscriberStore(pool, "mileage", clock);
    SipOptions options = sipOptions.apply(SipOptions.defaults("127.0.0.1", 0, trunk.uri())
        .withTimers(Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofSeconds(60))
        .withRtpPorts(RTP_PORT_BASE, RTP_PORT_BASE + 98)
        // a machine slowed by other builds must not turn a functional test's INVITE into a 503 (see the
        // root pom's surefire settings); the overload tests set their own limit
        .withOverloadDelay(Duration.ofSeconds(2)));
    sip = new SipVerticle(options, subscribers, () -> meter, sipClock);
    await(vertx.deployVerticle(sip));
  }

  /** A member with a SIP account and {@code points} of mileage. */
  void member(String owner, String username, long points) throws Exception {
    members.add(owner);
    SubscriberStore.ProvisionResult r = await(subscribers.provision(owner, username, PASSWORD));
    if (r != SubscriberStore.ProvisionResult.CREATED && r != SubscriberStore.ProvisionResult.UPDATED) {
      throw new IllegalStateException("provisioning failed: " + r);
    }
    Account account = await(ledger.openAccount(owner, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    if (points > 0) {
      TransferResult t = await(ledger.submit(Transfer.single(Transfer.idOf("test:fund:" + owner + ":" + UUID.randomUUID()),
          issuer.id(), account.id(), points, TransferCodes.SIGN_UP_BONUS, "test funds")));
      if (t != TransferResult.OK) throw new IllegalStateException("funding failed: " + t);
    }
  }

  long balance(String owner) throws Exception {
    Account a = await(ledger.accountOf(owner, StandardPointTypes.MILEAGE)).orElseThrow();
    return a.creditsPosted() - a.debitsPosted() - a.debitsPending();
  }

  long posted(String owner) throws Exception {
    Account a = await(ledger.accountOf(owner, StandardPointTypes.MILEAGE)).orElseThrow();
    return a.debitsPosted();
  }

  /** The CDR of the call with A-leg Call-ID {@code callId}, waiting for it to be written. */
  UsageRecord cdr(String owner, String callId) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (UsageRecord r : await(meter.usage(dev.mileage.points.metering.UsageQuery.of(owner, 100)))) {
        if (r.reference().equals(callId)) return r;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no CDR for " + callId);
  }

  Optional<UsageRecord> cdrNow(String owner, String callId) throws Exception {
    for (UsageRecord r : await(meter.usage(dev.mileage.points.metering.UsageQuery.of(owner, 100)))) {
      if (r.reference().equals(callId)) return Optional.of(r);
    }
    return Optional.empty();
  }

  int liveCalls() throws Exception {
    return await(sip.callCount());
  }

  /** Polls until no call is live and all media ports are back (they are released on every exit path). */
  void awaitIdle() throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (liveCalls() == 0 && sip.mediaPortsInUse() == 0 && sip.mediaSocketsOpen() == 0 && reserved() == 0) return;
      Thread.sleep(20);
    }
    throw new AssertionError("calls still live: " + liveCalls() + ", media ports in use: " + sip.mediaPortsInUse()
        + ", media sockets open: " + sip.mediaSocketsOpen()
        + ", points still reserved: " + reserved());
  }

  /** Points reserved on members' accounts (a call's settlement follows its end: a void, then this is 0). */
  long reserved() throws Exception {
    long sum = 0;
    for (String owner : members) {
      Optional<Account> a = await(ledger.accountOf(owner, StandardPointTypes.MILEAGE));
      if (a.isPresent()) sum += a.get().debitsPending();
    }
    return sum;
  }

  /** The system clock plus an offset that only grows. */
  static final class SkippingClock extends Clock {
    private final java.util.concurrent.atomic.AtomicLong skippedMs = new java.util.concurrent.atomic.AtomicLong();

    void skip(Duration d) {
      skippedMs.addAndGet(d.toMillis());
    }

    @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public java.time.Instant instant() { return Clock.systemUTC().instant().plusMillis(skippedMs.get()); }
    @Override public long millis() { return System.currentTimeMillis() + skippedMs.get(); }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static <T> T await(CompletionStage<T> f) throws Exception {
    return f.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      await(vertx.undeploy(sip.deploymentID()));
    } finally {
      trunk.close();
      meter.close();
      ledger.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      db.close();
    }
  }
}
