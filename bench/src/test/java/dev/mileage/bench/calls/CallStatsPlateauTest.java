package dev.mileage.bench.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The concurrent mode's plateau: when the target is up at once, and when it no longer is. Counts, no timing. */
class CallStatsPlateauTest {
  @Test
  void thePlateauOpensAtTheTargetAndClosesBelowIt() {
    CallStats stats = new CallStats();
    stats.watchPlateau(3);
    stats.callAnswered("a");
    stats.callAnswered("b");
    assertEquals(-1, stats.plateauFirstReachedNanos(), "2 of 3: not yet");
    assertEquals(0, stats.plateauNanos());
    stats.callAnswered("c");
    long reached = stats.plateauFirstReachedNanos();
    assertTrue(reached > 0, "3 of 3 up at once");
    stats.callAnswered("d"); // above the target: still the same plateau
    stats.establishedEnded("d", "d", 1);
    assertEquals(reached, stats.plateauFirstReachedNanos());
    long open = stats.plateauNanos();
    assertTrue(open >= 0);
    stats.establishedEnded("c", "c", 1); // below the target: closed
    long closed = stats.plateauNanos();
    assertTrue(closed >= open);
    assertEquals(closed, stats.plateauNanos(), "a closed plateau no longer grows");
    stats.callAnswered("e"); // back up: a second plateau, the longest one counts
    assertEquals(reached, stats.plateauFirstReachedNanos(), "first reached stays the first time");
    assertTrue(stats.plateauNanos() >= closed);
  }

  @Test
  void unwatchedStatsNeverReportAPlateau() {
    CallStats stats = new CallStats();
    for (int i = 0; i < 5; i++) stats.callAnswered("u" + i);
    assertEquals(-1, stats.plateauFirstReachedNanos());
    assertEquals(0, stats.plateauNanos());
  }
}
