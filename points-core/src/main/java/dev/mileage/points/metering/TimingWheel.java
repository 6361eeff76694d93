package dev.mileage.points.metering;

import dev.mileage.points.ledger.Checks;

import java.util.function.Consumer;

/**
 * A hashed timing wheel (Varghese and Lauck): timers hash by their deadline tick into one of
 * {@code slots} buckets; advancing visits only the buckets whose ticks passed, so the cost is
 * proportional to elapsed ticks plus fired timers, never to the number of sessions per second.
 * Timers beyond one revolution stay in their bucket until a later visit finds them due.
 *
 * <p>Not thread safe: the meter's thread owns it. Time is whatever the caller passes (an injected clock).
 * Public for the call load generator in {@code bench}, which schedules its calls' timers on one.
 */
public final class TimingWheel<T> {
  /** One scheduled timer; cancel through {@link TimingWheel#cancel}. */
  public static final class Timer<T> {
    long deadlineMs;
    final T item;
    Timer<T> prev;
    Timer<T> next;
    int slot = -1;

    /** A timer for {@code item} that is not scheduled yet; one per item, rescheduled again and again. */
    public Timer(T item) {
      this(Long.MAX_VALUE, item);
    }

    Timer(long deadlineMs, T item) {
      this.deadlineMs = deadlineMs;
      this.item = item;
    }

    public boolean scheduled() {
      return slot >= 0;
    }
  }

  private final long tickMs;
  private final Timer<T>[] heads;
  private final int mask;
  private long lastTick;
  private int size;

  @SuppressWarnings("unchecked")
  public TimingWheel(long tickMs, int slots, long nowMs) {
    Checks.requirePositive(tickMs, "tickMs");
    if (slots < 1 || Integer.bitCount(slots) != 1) throw new IllegalArgumentException("slots must be a power of two");
    this.tickMs = tickMs;
    this.heads = (Timer<T>[]) new Timer[slots];
    this.mask = slots - 1;
    this.lastTick = nowMs / tickMs - 1;
  }

  public int size() {
    return size;
  }

  /** A timer due at {@code deadlineMs}; a deadline already past fires at the next advance. */
  public Timer<T> schedule(long deadlineMs, T item) {
    Timer<T> timer = new Timer<>(item);
    schedule(timer, deadlineMs);
    return timer;
  }

  /** (Re)schedules {@code timer} at {@code deadlineMs}, moving it if it was scheduled: no allocation. */
  public void schedule(Timer<T> timer, long deadlineMs) {
    if (timer.scheduled()) unlink(timer);
    timer.deadlineMs = deadlineMs;
    long tick = Math.max(deadlineMs / tickMs, lastTick + 1);
    int slot = (int) (tick & mask);
    timer.slot = slot;
    timer.next = heads[slot];
    if (timer.next != null) timer.next.prev = timer;
    heads[slot] = timer;
    size++;
  }

  /** Removes the timer if it is still scheduled; true if it was. */
  public boolean cancel(Timer<T> timer) {
    if (timer == null || !timer.scheduled()) return false;
    unlink(timer);
    return true;
  }

  /** Fires, in no particular order, every timer whose deadline is at or before {@code nowMs}. */
  public void advance(long nowMs, Consumer<T> fire) {
    long nowTick = nowMs / tickMs;
    if (nowTick <= lastTick) return; // time never goes back
    // a jump of a whole revolution or more visits every bucket once, ending with the current tick's
    long visits = Math.min(nowTick - lastTick, heads.length);
    // the current tick is not over: its bucket is visited again next time (timers due later in it);
    // timers scheduled while firing land at the current tick or later, so none is skipped
    lastTick = nowTick - 1;
    for (long tick = nowTick - visits + 1; tick <= nowTick; tick++) {
      int slot = (int) (tick & mask);
      Timer<T> timer = heads[slot];
      while (timer != null) {
        Timer<T> next = timer.next;
        if (timer.deadlineMs <= nowMs) {
          unlink(timer);
          fire.accept(timer.item);
          // the callback may have cancelled the next timer: then start the bucket over
          if (next != null && next.slot != slot) next = heads[slot];
        }
        timer = next;
      }
    }
  }

  private void unlink(Timer<T> timer) {
    if (timer.prev != null) timer.prev.next = timer.next;
    else heads[timer.slot] = timer.next;
    if (timer.next != null) timer.next.prev = timer.prev;
    timer.prev = null;
    timer.next = null;
    timer.slot = -1;
    size--;
  }
}
