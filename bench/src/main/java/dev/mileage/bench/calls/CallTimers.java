package dev.mileage.bench.calls;

import dev.mileage.points.metering.TimingWheel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Every call's timers on one thread and one hashed timing wheel (the meter's {@link TimingWheel}): each call
 * has a single wheel entry at its next deadline (retransmission, transaction timeout, setup deadline, hang-up,
 * RTP tick) and reschedules it after each event, so a call costs no thread, no task object per timer and no
 * heap upkeep. Due calls are collected under the lock and run outside it, so jain-sip's threads scheduling a
 * call never wait behind a call's work.
 */
final class CallTimers implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CallTimers.class.getName());
  static final long TICK_MS = 1;
  /** 8,192 one-millisecond buckets: an 8 s revolution; later deadlines wait in their bucket for a later turn. */
  static final int SLOTS = 8192;
  static final long TICK_NANOS = TICK_MS * 1_000_000L;

  /** Something with a deadline on the wheel; runs on the timer thread. */
  interface Timed {
    void onTimer(long nowNanos);
  }

  private final LongSupplier nanoTime;
  private final long originNanos;
  private final Object lock = new Object();
  private final TimingWheel<Timed> wheel;
  private final Thread thread;
  private volatile boolean running = true;
  final LongAdder failures = new LongAdder();

  CallTimers(LongSupplier nanoTime, String name) {
    this.nanoTime = nanoTime;
    this.originNanos = nanoTime.getAsLong();
    this.wheel = new TimingWheel<>(TICK_MS, SLOTS, 0);
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  static TimingWheel.Timer<Timed> timerFor(Timed item) {
    return new TimingWheel.Timer<>(item);
  }

  /** (Re)schedules {@code timer} at {@code atNanos}; Long.MAX_VALUE takes it off the wheel. */
  void schedule(TimingWheel.Timer<Timed> timer, long atNanos) {
    synchronized (lock) {
      if (atNanos == Long.MAX_VALUE) {
        wheel.cancel(timer);
      } else {
        // rounded up: a call is never woken before its deadline (it would only go back to sleep)
        wheel.schedule(timer, Math.max(0, (atNanos - originNanos + TICK_NANOS - 1) / TICK_NANOS));
      }
    }
  }

  void cancel(TimingWheel.Timer<Timed> timer) {
    synchronized (lock) {
      wheel.cancel(timer);
    }
  }

  int size() {
    synchronized (lock) {
      return wheel.size();
    }
  }

  private void run() {
    List<Timed> due = new ArrayList<>();
    while (running) {
      LockSupport.parkNanos(TICK_NANOS);
      long now = nanoTime.getAsLong();
      synchronized (lock) {
        wheel.advance(Math.max(0, (now - originNanos) / TICK_NANOS), due::add);
      }
      for (int i = 0; i < due.size(); i++) {
        try {
          due.get(i).onTimer(now);
        } catch (RuntimeException e) {
          failures.increment(); // a bug in one call must not stop every other call's timers
          if (failures.sum() <= 5) LOG.warning("call timer failed: " + e);
        }
      }
      due.clear();
    }
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
