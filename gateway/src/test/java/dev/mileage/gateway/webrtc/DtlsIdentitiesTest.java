package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.MutableClock;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's DTLS identity is renewed daily on the injected clock: the same one all day; its successor
 * generated on the worker from {@link DtlsIdentities#LEAD} before it is due, never on the caller's thread,
 * and swapped in once it is ready and the current one is due; each certificate valid from a day before its
 * generation to {@link DtlsIdentity#VALIDITY} after; a peer that still expects the old fingerprint is
 * refused while the new one completes a real DTLS handshake. The worker here is a queue the test drains, so
 * "not generated yet" and "generated" are states the test sets, not races it waits out.
 */
class DtlsIdentitiesTest {
  static final Instant START = Instant.parse("2026-11-24T01:00:00Z");
  static final SecureRandom RANDOM = new SecureRandom();

  /** A worker that runs its tasks only when the test says so. */
  static final class QueuedWorker implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    synchronized int pending() {
      return tasks.size();
    }

    void runAll() {
      Runnable t;
      while ((t = poll()) != null) t.run();
    }

    private synchronized Runnable poll() {
      return tasks.poll();
    }
  }

  /** The real generator, remembering the threads it ran on. */
  static final class RecordingGenerator implements DtlsIdentities.Generator {
    final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override
    public DtlsIdentity generate(Instant now) {
      threads.add(Thread.currentThread());
      return DtlsIdentity.generate(RANDOM, now);
    }
  }

  @Test
  void oneIdentityADayItsSuccessorMadeAheadOnTheWorkerAndSwappedInWhenDue() throws Exception {
    MutableClock clock = new MutableClock(START);
    QueuedWorker worker = new QueuedWorker();
    RecordingGenerator generator = new RecordingGenerator();
    DtlsIdentities identities = new DtlsIdentities(clock, generator, worker);
    assertEquals(1, identities.generated(), "the first at start-up");
    DtlsIdentity first = identities.forNewCall();
    assertSame(first, identities.forNewCall());
    clock.advance(DtlsIdentities.ROTATION.minus(DtlsIdentities.LEAD).minusSeconds(1));
    assertSame(first, identities.forNewCall(), "the same key pair all day");
    assertEquals(0, worker.pending(), "nothing generated before the lead time");

    clock.advance(Duration.ofSeconds(1));
    assertSame(first, identities.forNewCall(), "the caller gets the current identity at once");
    assertEquals(1, worker.pending(), "the successor's generation is handed to the worker");
    assertSame(first, identities.forNewCall());
    assertEquals(1, worker.pending(), "once");
    assertEquals(1, identities.generated(), "the caller generated nothing");

    Thread test = Thread.currentThread();
    Instant generatedAt = clock.instant();
    worker.runAll();
    assertEquals(2, identities.generated());
    assertSame(first, identities.forNewCall(), "ready, but the current one is not due yet");

    clock.advance(DtlsIdentities.LEAD);
    DtlsIdentity second = identities.forNewCall();
    assertNotEquals(first.fingerprint().sdpValue(), second.fingerprint().sdpValue(), "a new key pair after a day");
    assertSame(second, identities.forNewCall());
    assertEquals(0, worker.pending(), "its own successor comes a day later");

    X509Certificate x509 = x509(second);
    assertEquals(generatedAt.minus(Duration.ofDays(1)), x509.getNotBefore().toInstant());
    assertEquals(generatedAt.plus(DtlsIdentity.VALIDITY), x509.getNotAfter().toInstant());
    assertEquals(x509.getNotAfter().toInstant(), second.notAfter());
    assertEquals("SHA256withECDSA", x509.getSigAlgName());
    x509.verify(x509.getPublicKey()); // self-signed, as WebRTC endpoints' are

    // the next rotation counts from the swap
    clock.advance(DtlsIdentities.ROTATION.minus(DtlsIdentities.LEAD).minusSeconds(1));
    assertSame(second, identities.forNewCall());
    assertEquals(0, worker.pending());
    assertEquals(List.of(test, test), generator.threads, "this test's queue ran both on its own thread");
  }

  @Test
  // a caller that waited for the generator (on its thread, or on a lock it holds) would block here for good: a
  // separate thread lets the time-out fail the test even when the wait cannot be interrupted
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aCallerNeverWaitsForTheGeneratorAndAlwaysGetsAValidIdentity() throws Exception {
    MutableClock clock = new MutableClock(START);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingGenerator real = new RecordingGenerator();
    DtlsIdentities.Generator held = now -> {
      if (real.threads.isEmpty()) return real.generate(now); // the first, at start-up
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return real.generate(now);
    };
    Thread[] workerThread = new Thread[1];
    Executor worker = task -> {
      workerThread[0] = new Thread(task, "dtls-identity-test-worker");
      workerThread[0].setDaemon(true); // never keeps the test JVM alive
      workerThread[0].start();
    };
    DtlsIdentities identities = new DtlsIdentities(clock, held, worker);
    DtlsIdentity first = identities.forNewCall();

    try {
      clock.advance(DtlsIdentities.ROTATION); // due, and nothing generated ahead (no call in the lead time)
      assertSame(first, identities.forNewCall(), "the current identity serves while its successor is made");
      assertTrue(entered.await(30, TimeUnit.SECONDS), "the generator runs on the worker");
      // the generator is now blocked inside its work: callers still get an answer at once, the current identity
      for (int i = 0; i < 3; i++) assertSame(first, identities.forNewCall());
      assertTrue(first.notAfter().isAfter(clock.instant()), "which is still valid");
      assertEquals(1, identities.generated());
    } finally {
      release.countDown();
    }
    workerThread[0].join();
    DtlsIdentity second = identities.forNewCall();
    assertNotSame(first, second, "swapped in once ready");
    assertEquals(2, identities.generated());
    assertTrue(real.threads.get(1) == workerThread[0] && real.threads.get(1) != Thread.currentThread(),
        "generated on the worker, not the caller's thread: " + real.threads);
  }

  @Test
  void aFailedGenerationLeavesTheCurrentIdentityServingAndALaterCallRetries() {
    MutableClock clock = new MutableClock(START);
    QueuedWorker worker = new QueuedWorker();
    boolean[] fail = {false};
    DtlsIdentities identities = new DtlsIdentities(clock, now -> {
      if (fail[0]) throw new IllegalStateException("no entropy today");
      return DtlsIdentity.generate(RANDOM, now);
    }, worker);
    DtlsIdentity first = identities.forNewCall();
    clock.advance(DtlsIdentities.ROTATION);
    fail[0] = true;
    assertSame(first, identities.forNewCall());
    worker.runAll();
    assertSame(first, identities.forNewCall(), "still the current identity");
    assertEquals(1, worker.pending(), "and the generation is tried again");
    fail[0] = false;
    worker.runAll();
    assertNotSame(first, identities.forNewCall());
    assertEquals(2, identities.generated());
  }

  @Test
  void aClockSetBackRenewsWithoutEverServingACertificateNotYetValid() throws Exception {
    MutableClock clock = new MutableClock(START);
    QueuedWorker worker = new QueuedWorker();
    DtlsIdentities identities = new DtlsIdentities(clock, now -> DtlsIdentity.generate(RANDOM, now), worker);
    DtlsIdentity first = identities.forNewCall();
    clock.advance(DtlsIdentities.ROTATION.minus(DtlsIdentities.LEAD));
    identities.forNewCall();
    worker.runAll(); // a successor made at START + 23 h
    clock.advance(DtlsIdentities.ROTATION.negated()); // back to an hour before START
    assertSame(first, identities.forNewCall(), "the current one serves (its certificate starts a day back)");
    assertTrue(x509(first).getNotBefore().toInstant().isBefore(clock.instant()));
    assertEquals(1, worker.pending(), "the successor made in the 'future' is dropped and another made");
    worker.runAll();
    DtlsIdentity renewed = identities.forNewCall();
    assertNotSame(first, renewed);
    assertTrue(x509(renewed).getNotBefore().toInstant().isBefore(clock.instant()), "valid now");
    assertEquals(3, identities.generated());
  }

  @Test
  void aPeerHoldingTheOldFingerprintIsRefusedAndTheNewOneHandshakes() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    QueuedWorker worker = new QueuedWorker();
    DtlsIdentities identities = new DtlsIdentities(clock, now -> DtlsIdentity.generate(RANDOM, now), worker);
    DtlsIdentity before = identities.forNewCall();
    clock.advance(DtlsIdentities.ROTATION);
    identities.forNewCall();
    worker.runAll();
    DtlsIdentity after = identities.forNewCall();
    assertNotSame(before, after);
    DtlsIdentity browser = DtlsIdentity.generate(RANDOM, Instant.now());

    DtlsResult[] stale = DtlsSrtpLoopbackTest.handshake(after, browser, browser.fingerprint(), before.fingerprint());
    assertEquals(DtlsOutcome.FINGERPRINT_MISMATCH, stale[1].outcome(), "the browser checks what the SDP announced");
    DtlsResult[] fresh = DtlsSrtpLoopbackTest.handshake(after, browser, browser.fingerprint(), after.fingerprint());
    assertEquals(DtlsOutcome.OK, fresh[0].outcome());
    assertEquals(DtlsOutcome.OK, fresh[1].outcome());
  }

  @Test
  void browserCallsAnswerWithTheRenewedFingerprintMadeOnAVertxWorker() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      MutableClock clock = new MutableClock(START);
      WebRtcCalls calls = new WebRtcCalls(config -> WebRtcCalls.Options.ws(0));
      calls.configure(null, clock, vertx);
      String first = calls.fingerprint().sdpValue();
      clock.advance(Duration.ofHours(23));
      assertEquals(first, calls.fingerprint().sdpValue(), "the lead time starts the successor on a worker");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (calls.identities().generated() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10); // the worker generates: poll, bounded
      }
      assertEquals(2, calls.identities().generated());
      assertEquals(first, calls.fingerprint().sdpValue(), "not due yet");
      clock.advance(Duration.ofHours(1));
      assertNotEquals(first, calls.fingerprint().sdpValue(), "new calls get the renewed identity");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static X509Certificate x509(DtlsIdentity identity) throws Exception {
    byte[] der = identity.certificate().getCertificateAt(0).getEncoded();
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }
}
