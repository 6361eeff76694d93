package dev.mileage.gateway.sip;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static dev.mileage.gateway.sip.OverloadGate.Kind.ADMITTED;
import static dev.mileage.gateway.sip.OverloadGate.Kind.AUTHENTICATED;
import static dev.mileage.gateway.sip.OverloadGate.Kind.NEW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gate's decisions on a hand-driven clock: each signal, each level, recovery, and the refusal count. */
class OverloadGateTest {
  static final long MS = 1_000_000L;
  static final Duration LIMIT = Duration.ofMillis(50);

  final AtomicLong now = new AtomicLong(1_000_000 * MS);
  final OverloadGate gate = new OverloadGate(2, LIMIT, now::get);

  /** {@code n} events on {@code shard}, each having waited {@code waitMs} for its turn. */
  void events(int shard, int n, long waitMs) {
    for (int i = 0; i < n; i++) {
      long stamp = gate.enqueued(shard);
      now.addAndGet(waitMs * MS);
      gate.started(shard, stamp);
    }
  }

  @Test
  void anIdleGatewayAdmitsEverything() {
    assertTrue(gate.admits(0, NEW));
    assertTrue(gate.admits(1, AUTHENTICATED));
    events(0, 100, 1);
    assertTrue(gate.admits(0, NEW));
    assertEquals(0, gate.refused());
  }

  @Test
  void longQueueWaitsRefuseNewRequestsFirstAndRequestsInsideCallsNever() {
    events(0, 200, 80); // every event waited 80 ms: above the limit, below twice the limit
    assertTrue(gate.smoothedWaitNanos(0) > LIMIT.toNanos(), "smoothed " + gate.smoothedWaitNanos(0));
    assertFalse(gate.admits(0, NEW), "a first INVITE is refused");
    assertTrue(gate.admits(0, AUTHENTICATED), "one answering our challenge already cost a round trip: still in");
    assertTrue(gate.admits(0, ADMITTED));
    assertTrue(gate.admits(1, NEW), "the other shard is not loaded");
    events(0, 200, 150); // past twice the limit
    assertFalse(gate.admits(0, AUTHENTICATED));
    assertTrue(gate.admits(0, ADMITTED), "a BYE, ACK or CANCEL always goes through");
    assertEquals(2, gate.refused());
    assertEquals(2, gate.refused(OverloadGate.Signal.QUEUE_WAIT));
  }

  @Test
  void oneSlowEventDoesNotCloseTheGate() {
    events(0, 50, 1);
    events(0, 1, 300); // a GC pause, a cold path
    assertTrue(gate.admits(0, NEW), "smoothed " + gate.smoothedWaitNanos(0));
  }

  @Test
  void aStalledShardRefusesBeforeAnythingIsDequeued() {
    gate.enqueued(0);
    now.addAndGet(OverloadGate.HEAD_AGE_FACTOR * LIMIT.toNanos() - MS);
    assertTrue(gate.admits(0, NEW), "the oldest event has not waited long enough yet");
    now.addAndGet(2 * MS);
    assertFalse(gate.admits(0, NEW), "the oldest waiting event is past the limit");
    assertEquals(1, gate.refused(OverloadGate.Signal.QUEUE_HEAD));
    assertTrue(gate.admits(0, AUTHENTICATED), "twice the limit for those");
    assertTrue(gate.admits(1, NEW));
  }

  @Test
  void theGateReopensOnceTheQueueIsQuietEvenIfNothingMoreIsAdmitted() {
    events(0, 200, 200);
    assertFalse(gate.admits(0, NEW));
    // everything new refused, so nothing more is started: the figure must decay on its own
    now.addAndGet(10 * LIMIT.toNanos());
    assertTrue(gate.admits(0, NEW), "smoothed " + gate.smoothedWaitNanos(0));
    assertTrue(gate.admits(0, AUTHENTICATED));
  }

  @Test
  void aCallStuckInTheGatewaysOwnSetupRefusesNewCallsUntilItIsDone() {
    long started = gate.now();
    gate.oldestSetup(1, started);
    now.addAndGet(OverloadGate.HEAD_AGE_FACTOR * LIMIT.toNanos() + MS);
    assertTrue(gate.admits(1, NEW), "one slow commit (an fsync stall) is not overload");
    now.addAndGet((OverloadGate.SETUP_AGE_FACTOR - OverloadGate.HEAD_AGE_FACTOR) * LIMIT.toNanos());
    assertFalse(gate.admits(1, NEW), "the meter or the database is behind");
    assertEquals(1, gate.refused(OverloadGate.Signal.CALL_SETUP));
    assertTrue(gate.admits(1, AUTHENTICATED));
    assertTrue(gate.admits(0, NEW), "per shard");
    gate.oldestSetup(1, 0);
    assertTrue(gate.admits(1, NEW));
  }

  @Test
  void aBacklogInsideTheSipStackRefusesNewWorkOnEveryShard() {
    AtomicLong intake = new AtomicLong();
    gate.watchIntake(intake::get);
    intake.set(OverloadGate.HEAD_AGE_FACTOR * LIMIT.toNanos() + MS);
    assertFalse(gate.admits(0, NEW));
    assertFalse(gate.admits(1, NEW));
    assertTrue(gate.admits(0, AUTHENTICATED));
    assertTrue(gate.admits(0, ADMITTED));
    intake.set(2 * OverloadGate.HEAD_AGE_FACTOR * LIMIT.toNanos() + MS);
    assertFalse(gate.admits(1, AUTHENTICATED));
    intake.set(0);
    assertTrue(gate.admits(0, NEW));
    assertEquals(3, gate.refused());
    assertEquals(3, gate.refused(OverloadGate.Signal.INTAKE), "each refusal counted on the signal that decided it");
  }

  @Test
  void theEnvironmentSettingIsReadAndItsMistakesRefused() {
    assertEquals(OverloadGate.DELAY_DEFAULT, SipFeature.overloadDelay(null));
    assertEquals(OverloadGate.DELAY_DEFAULT, SipFeature.overloadDelay(" "));
    assertEquals(Duration.ofMillis(120), SipFeature.overloadDelay(" 120 "));
    for (String bad : new String[] {"0", "-5", "fast", "1.5", "60001"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SipFeature.overloadDelay(bad));
      assertTrue(e.getMessage().contains(SipFeature.OVERLOAD_DELAY_ENVIRONMENT), e.getMessage());
    }
  }

  @Test
  void settingsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new OverloadGate(0, LIMIT));
    assertThrows(IllegalArgumentException.class, () -> new OverloadGate(1, Duration.ZERO));
  }
}
