package dev.mileage.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {
  @Test
  void countIsTheSmallerOfCountAndDurationBounds() {
    assertEquals(60_000, new OpenLoopSchedule(1000, 1_000_000, Duration.ofSeconds(60)).count());
    assertEquals(500, new OpenLoopSchedule(1000, 500, Duration.ofSeconds(60)).count());
    assertEquals(0, new OpenLoopSchedule(1000, 0, Duration.ofSeconds(60)).count());
    assertEquals(0, new OpenLoopSchedule(1000, 10, Duration.ZERO).count());
    assertEquals(3, new OpenLoopSchedule(2.5, 100, Duration.ofMillis(1000)).count()); // at 0, 0.4, 0.8 s
  }

  @Test
  void intendedStartsAreEvenlySpacedAndStayInsideTheDuration() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(1000, 100_000, Duration.ofSeconds(2));
    assertEquals(0, schedule.intendedOffsetNanos(0));
    assertEquals(1_000_000, schedule.intendedOffsetNanos(1));
    assertEquals(1_999_000_000L, schedule.intendedOffsetNanos(schedule.count() - 1));
    OpenLoopSchedule third = new OpenLoopSchedule(3, 100, Duration.ofSeconds(1));
    assertEquals(333_333_333L, third.intendedOffsetNanos(1));
    assertEquals(666_666_667L, third.intendedOffsetNanos(2));
  }

  @Test
  void indexOutsideTheScheduleIsABug() {
    OpenLoopSchedule schedule = new OpenLoopSchedule(10, 5, Duration.ofSeconds(10));
    assertThrows(IndexOutOfBoundsException.class, () -> schedule.intendedOffsetNanos(5));
    assertThrows(IndexOutOfBoundsException.class, () -> schedule.intendedOffsetNanos(-1));
  }

  @Test
  void unboundedOrNonsenseSchedulesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(0, 1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(Double.NaN, 1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new OpenLoopSchedule(Double.POSITIVE_INFINITY, 1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(1, -1, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(1, 1, Duration.ofDays(2)));
    assertThrows(IllegalArgumentException.class, () -> new OpenLoopSchedule(1, 1, Duration.ofSeconds(-1)));
  }
}
