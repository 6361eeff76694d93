package dev.mileage.gateway.sip;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routing SIP events to shards, and the call limits the shards share. */
class CallShardsTest {
  @Test
  void trunkLegCallIdsComeBackToTheShardThatMadeThem() {
    CallShards shards = new CallShards(4);
    for (int shard = 0; shard < 4; shard++) {
      for (long r = -3; r < 100; r++) {
        assertEquals(shard, shards.of(CallShards.bLegCallId(shard, r * 7919, "127.0.0.1")));
      }
    }
  }

  @Test
  void otherCallIdsAreHashedDeterministicallyAndSpread() {
    CallShards shards = new CallShards(4);
    int[] seen = new int[4];
    for (int i = 0; i < 4000; i++) {
      String callId = "a84b4c76e66710-" + i + "@pc33.atlanta.example.com";
      int s = shards.of(callId);
      assertEquals(s, shards.of(callId), "the same Call-ID always goes to the same shard");
      seen[s]++;
    }
    for (int n : seen) assertTrue(n > 700, "every shard gets a fair share: " + java.util.Arrays.toString(seen));
  }

  @Test
  void lookalikeCallIdsAreHashedNotTrusted() {
    CallShards shards = new CallShards(4);
    // a caller's Call-ID may look like ours: it still lands on some valid shard, and always the same one
    for (String id : List.of("gw9.abc@x", "gw.abc", "gw", "gw12345.x", "gw3", "gw3x.y", "", "gw-1.x")) {
      int s = shards.of(id);
      assertTrue(s >= 0 && s < 4, id);
      assertEquals(s, shards.of(id));
    }
    assertEquals(0, shards.of((String) null));
    assertThrows(IllegalArgumentException.class, () -> new CallShards(0));
    assertThrows(IllegalArgumentException.class, () -> new CallShards(CallShards.SHARDS_MAX + 1));
  }

  @Test
  void limitsHoldAcrossShards() {
    CallLimits limits = new CallLimits(3, 2);
    assertEquals(CallLimits.Admission.OK, limits.admit("member:a"));
    assertEquals(CallLimits.Admission.OK, limits.admit("member:a"));
    assertEquals(CallLimits.Admission.ACCOUNT_BUSY, limits.admit("member:a"));
    assertEquals(CallLimits.Admission.OK, limits.admit("member:b"));
    assertEquals(CallLimits.Admission.GATEWAY_FULL, limits.admit("member:c"));
    assertTrue(limits.full());
    limits.release("member:a");
    assertEquals(1, limits.of("member:a"));
    assertEquals(CallLimits.Admission.OK, limits.admit("member:c"));
    limits.release("member:a");
    limits.release("member:b");
    limits.release("member:c");
    assertEquals(0, limits.live());
    assertEquals(0, limits.of("member:a"));
  }

  /** Shards admit calls at the same time: together they never pass a limit (the old map was one thread's). */
  @Test
  void concurrentAdmissionsNeverOvershoot() throws Exception {
    int threads = 4;
    int attemptsEach = 20_000;
    CallLimits limits = new CallLimits(1000, 4);
    AtomicInteger overshoot = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < attemptsEach; i++) {
          String owner = "member:m" + (i % 50);
          if (limits.admit(owner) == CallLimits.Admission.OK) {
            if (limits.of(owner) > 4 || limits.live() > 1000) overshoot.incrementAndGet();
            limits.release(owner);
          }
        }
      });
      workers.add(w);
      w.start();
    }
    start.countDown();
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(60));
      assertTrue(!w.isAlive(), "bounded: the workers finish");
    }
    assertEquals(0, overshoot.get());
    assertEquals(0, limits.live());
    for (int i = 0; i < 50; i++) assertEquals(0, limits.of("member:m" + i));
  }
}
