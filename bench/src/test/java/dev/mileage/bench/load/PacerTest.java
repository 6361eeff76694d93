package dev.mileage.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pacer on a fake clock: parking advances time, so nothing sleeps. */
class PacerTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Pacer pacer = new Pacer(now::get, now::addAndGet);

  @Test
  void startsEveryOperationAtItsIntendedTimeNeverEarly() {
    List<long[]> starts = new ArrayList<>();
    OpenLoopSchedule schedule = new OpenLoopSchedule(100, 50, Duration.ofSeconds(10));
    long zero = now.get();
    Pacer.Outcome outcome = pacer.run(schedule, zero, zero + 60_000_000_000L, null,
        (index, intended) -> starts.add(new long[] {index, intended, now.get()}));
    assertEquals(50, outcome.started());
    assertEquals(0, outcome.notStarted());
    for (int i = 0; i < starts.size(); i++) {
      long[] start = starts.get(i);
      assertEquals(i, start[0]);
      assertEquals(zero + i * 10_000_000L, start[1]);
      assertTrue(start[2] >= start[1], "never before the intended start");
    }
  }

  @Test
  void aSlowOperationDelaysLaterStartsButTheirIntendedTimesDoNotMove() {
    List<Long> intendedTimes = new ArrayList<>();
    OpenLoopSchedule schedule = new OpenLoopSchedule(1000, 10, Duration.ofSeconds(1));
    long zero = now.get();
    Pacer.Outcome outcome = pacer.run(schedule, zero, zero + 1_000_000_000L, null, (index, intended) -> {
      intendedTimes.add(intended);
      if (index == 2) now.addAndGet(5_000_000L); // the generator stalls 5 ms
    });
    assertEquals(10, outcome.started());
    assertEquals(zero + 3_000_000L, intendedTimes.get(3), "intended start unaffected by the stall");
    assertTrue(outcome.startLagNanosMax() >= 3_000_000L, "the lag is reported: " + outcome.startLagNanosMax());
  }

  @Test
  void hardStopBoundsTheRunEvenWhenTheScheduleIsLonger() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(10, 1_000, Duration.ofSeconds(100));
    long zero = now.get();
    Pacer.Outcome outcome = pacer.run(schedule, zero, zero + 1_000_000_000L, null, (index, intended) -> { });
    assertEquals(10, outcome.started());
    assertEquals(990, outcome.notStarted());
  }

  @Test
  void concurrencyCapTakesOnePermitPerStart() {
    Semaphore cap = new Semaphore(3);
    OpenLoopSchedule schedule = new OpenLoopSchedule(1000, 3, Duration.ofSeconds(1));
    long zero = now.get();
    Pacer.Outcome outcome = pacer.run(schedule, zero, zero + 1_000_000_000L, cap, (index, intended) -> { });
    assertEquals(3, outcome.started());
    assertEquals(0, cap.availablePermits());
    assertEquals(0, outcome.capWaits());
  }

  @Test
  void capReleasedByCompletionsLetsTheRunContinue() {
    Semaphore cap = new Semaphore(1);
    OpenLoopSchedule schedule = new OpenLoopSchedule(1000, 5, Duration.ofSeconds(1));
    long zero = now.get();
    // each operation completes at once, releasing its permit: no waits needed
    Pacer.Outcome outcome = pacer.run(schedule, zero, zero + 1_000_000_000L, cap, (index, intended) -> cap.release());
    assertEquals(5, outcome.started());
    assertEquals(1, cap.availablePermits());
  }
}
