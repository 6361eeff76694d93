package dev.mileage.points.metering;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimingWheelTest {
  @Test
  void firesEachTimerOnceAtOrAfterItsDeadlineNeverBefore() {
    TimingWheel<Long> wheel = new TimingWheel<>(10, 64, 0);
    Random random = new Random(42);
    List<Long> deadlines = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      long deadline = random.nextInt(20_000);
      deadlines.add(deadline);
      wheel.schedule(deadline, deadline);
    }
    List<Long> fired = new ArrayList<>();
    for (long now = 0; now <= 20_000; now += 1 + random.nextInt(700)) {
      long at = now;
      wheel.advance(now, d -> {
        assertTrue(d <= at, "never early");
        assertTrue(d > at - 701 - 10, "late by at most one advance step");
        fired.add(d);
      });
    }
    wheel.advance(20_010, fired::add);
    assertEquals(deadlines.size(), fired.size());
    assertEquals(0, wheel.size());
  }

  @Test
  void cancelledTimersNeverFire() {
    TimingWheel<String> wheel = new TimingWheel<>(10, 8, 1000);
    TimingWheel.Timer<String> a = wheel.schedule(1050, "a");
    wheel.schedule(1050, "b");
    assertTrue(wheel.cancel(a));
    assertFalse(wheel.cancel(a), "twice is a no-op");
    List<String> fired = new ArrayList<>();
    wheel.advance(2000, fired::add);
    assertEquals(List.of("b"), fired);
  }

  @Test
  void aJumpOfManyRevolutionsFiresEverythingDueAndKeepsTheRest() {
    TimingWheel<Integer> wheel = new TimingWheel<>(10, 16, 0);
    wheel.schedule(5, 1);
    wheel.schedule(3_600_000, 2);
    wheel.schedule(7_200_000, 3);
    List<Integer> fired = new ArrayList<>();
    wheel.advance(3_600_000, fired::add);
    assertEquals(List.of(1, 2), fired.stream().sorted().toList());
    wheel.advance(7_199_999, fired::add);
    assertEquals(2, fired.size());
    wheel.advance(7_200_000, fired::add);
    assertEquals(3, fired.size());
  }

  @Test
  void aTimerScheduledWhileFiringInThePastFiresOnTheNextAdvance() {
    TimingWheel<Integer> wheel = new TimingWheel<>(10, 16, 0);
    wheel.schedule(100, 1);
    List<Integer> fired = new ArrayList<>();
    wheel.advance(100, n -> {
      fired.add(n);
      if (n == 1) wheel.schedule(50, 2);
    });
    wheel.advance(110, fired::add);
    assertEquals(List.of(1, 2), fired);
  }

  @Test
  void aReusedTimerMovesToItsNewDeadlineAndFiresOnceThere() {
    TimingWheel<String> wheel = new TimingWheel<>(10, 8, 0);
    TimingWheel.Timer<String> timer = new TimingWheel.Timer<>("a");
    wheel.schedule(timer, 50);
    wheel.schedule(timer, 500); // moved, not added twice (500 ms is several revolutions of 8 x 10 ms)
    assertEquals(1, wheel.size());
    List<String> fired = new ArrayList<>();
    wheel.advance(100, fired::add);
    assertTrue(fired.isEmpty(), "not at its old deadline");
    wheel.advance(499, fired::add);
    assertTrue(fired.isEmpty(), "never early");
    wheel.advance(500, fired::add);
    assertEquals(List.of("a"), fired);
    assertEquals(0, wheel.size());
    wheel.schedule(timer, 520); // and again, after it fired
    assertTrue(wheel.cancel(timer));
    wheel.advance(600, fired::add);
    assertEquals(List.of("a"), fired, "cancelled");
  }
}
