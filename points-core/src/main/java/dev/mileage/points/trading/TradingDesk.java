package dev.mileage.points.trading;

import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Order books for every pair of point types, settled through the ledger. Commands (place, cancel,
 * expire) run one at a time, in arrival order, so a cancel racing a fill is simply before or after it.
 * An open order's unfilled remainder is always held by a ledger PENDING transfer to the escrow account
 * of its type: a member can never offer points they do not have, and escrow holds nothing between
 * commands. Reads (views, depth, fills) are answered from the committed in-memory state.
 *
 * <p>The book lives in memory and is written to a {@link BookJournal}: a new order before its hold, every
 * changed order after each command. {@link #restore} puts the journal's open orders back after a restart,
 * checking each against the ledger. Without a journal, the holds of lost orders are released by the ledger
 * when their timeout (order lifetime plus {@code holdGraceSeconds}) passes.
 */
public final class TradingDesk {
  public static final String ESCROW_OWNER = "trading:escrow";
  public static final String FEE_OWNER = "trading:fees";
  /** A store failure is retried with the same transfer ids this many times before a command gives up. */
  static final int SETTLE_ATTEMPTS_MAX = 3;
  /** Missed hold generations followed per order on restore; a fill is one command, so a crash misses few. */
  static final int HOLD_GENERATIONS_PROBED_MAX = 1_000;

  private final Ledger ledger;
  private final Clock clock;
  private final TradingOptions options;
  private final Map<Long, TreeSet<Order>> sides = new HashMap<>();
  private final Map<UUID, Order> open = new HashMap<>();
  private final Map<UUID, Order> closed;
  private final Map<String, Integer> openPerOwner = new HashMap<>();
  private final Map<Long, ArrayDeque<TradeFill>> recentFills = new HashMap<>();
  private final BookJournal journal;
  private final DeskAccounts accounts;
  private final java.util.Set<Order> dirty = new java.util.LinkedHashSet<>();
  private long seq;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private int queued;

  public TradingDesk(Ledger ledger, Clock clock, TradingOptions options) {
    this(ledger, clock, options, BookJournal.NONE);
  }

  public TradingDesk(Ledger ledger, Clock clock, TradingOptions options, BookJournal journal) {
    this.journal = java.util.Objects.requireNonNull(journal, "journal");
    this.ledger = ledger;
    this.accounts = new DeskAccounts(ledger);
    this.clock = clock;
    this.options = options;
    int keep = options.closedOrdersKeptMax();
    this.closed = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<UUID, Order> eldest) {
        return size() > keep;
      }
    };
  }

  // ---- commands -------------------------------------------------------------------------------------

  public CompletionStage<Placement> place(OrderRequest request) {
    return serial(() -> doPlace(request), Placement.refused(PlaceResult.BUSY));
  }

  /** Cancels the owner's order; another member's order answers NOT_FOUND. */
  public CompletionStage<CancelResult> cancel(String owner, UUID orderId) {
    return serial(() -> doCancel(owner, orderId), CancelResult.BUSY);
  }

  /** Closes every order whose expiry has passed on the clock and releases its hold; answers how many. */
  public CompletionStage<Integer> expireDue() {
    return serial(this::doExpireDue, 0);
  }

  // ---- reads ----------------------------------------------------------------------------------------

  public synchronized Optional<OrderView> order(String owner, UUID orderId) {
    Order o = open.containsKey(orderId) ? open.get(orderId) : closed.get(orderId);
    return o == null || !o.owner.equals(owner) ? Optional.empty() : Optional.of(o.view());
  }

  public synchronized List<OrderView> ordersOf(String owner) {
    List<OrderView> views = new ArrayList<>();
    for (Order o : open.values()) if (o.owner.equals(owner)) views.add(o.view());
    for (Order o : closed.values()) if (o.owner.equals(owner)) views.add(o.view());
    views.sort((a, b) -> b.placedAt().compareTo(a.placedAt()));
    return views;
  }

  /** Price levels are not aggregated: the best {@code limit} resting orders selling {@code sellType}. */
  public synchronized List<OrderView> depth(int sellType, int buyType, int limit) {
    TreeSet<Order> side = sides.get(key(sellType, buyType));
    if (side == null) return List.of();
    List<OrderView> views = new ArrayList<>();
    for (Order o : side) {
      if (views.size() >= limit) break;
      views.add(anonymous(o.view()));
    }
    return views;
  }

  public synchronized List<TradeFill> recentFills(int typeA, int typeB) {
    ArrayDeque<TradeFill> fills = recentFills.get(pairKey(typeA, typeB));
    return fills == null ? List.of() : List.copyOf(fills);
  }

  private static OrderView anonymous(OrderView v) {
    return new OrderView(v.id(), "", v.sellType(), v.sellAmount(), v.buyType(), v.buyAmount(), v.remaining(),
        v.received(), v.status(), v.placedAt(), v.expiresAt());
  }

  // ---- place ----------------------------------------------------------------------------------------

  private CompletionStage<Placement> doPlace(OrderRequest r) {
    if (r.sellType() == r.buyType()) return done(Placement.refused(PlaceResult.SAME_POINT_TYPE));
    if (r.lifetimeSeconds() > options.lifetimeSecondsMax()) {
      return done(Placement.refused(PlaceResult.LIFETIME_TOO_LONG));
    }
    synchronized (this) {
      if (openPerOwner.getOrDefault(r.owner(), 0) >= options.ordersPerMemberMax()) {
        return done(Placement.refused(PlaceResult.TOO_MANY_ORDERS));
      }
      TreeSet<Order> side = sides.get(key(r.sellType(), r.buyType()));
      if (side != null && side.size() >= options.bookDepthMax()) return done(Placement.refused(PlaceResult.BOOK_FULL));
    }
    return doExpireDue().thenCompose(expired -> accounts.known(r.sellType(), r.buyType())).thenCompose(known -> {
      if (!known) return done(Placement.refused(PlaceResult.UNKNOWN_POINT_TYPE));
      return accounts.of(r).thenCompose(ids -> reserve(r, ids[0], ids[1]));
    });
  }

  private CompletionStage<Placement> reserve(OrderRequest r, long sellAccount, long buyAccount) {
    Instant now = clock.instant();
    Order order;
    synchronized (this) {
      order = new Order(UUID.randomUUID(), r, ++seq, now, now.plusSeconds(r.lifetimeSeconds()), sellAccount, buyAccount);
    }
    Transfer hold = Transfer.reserve(order.holdId(), sellAccount, escrow(r.sellType()), r.sellAmount(),
        r.lifetimeSeconds() + options.holdGraceSeconds(), TransferCodes.TRADE_HOLD, order.reference());
    // journaled before the hold exists: a crash in between leaves an order that restore finds unheld and closes
    return journal.save(List.of(order.snapshot())).thenCompose(j -> submit(List.of(hold))).thenCompose(results -> {
      TransferResult result = results.get(0);
      if (result == TransferResult.EXCEEDS_CREDITS) {
        synchronized (this) {
          order.status = OrderStatus.CANCELLED_BY_LEDGER; // never shown: only the journal hears it is gone
          dirty.add(order);
        }
        return done(Placement.refused(PlaceResult.INSUFFICIENT_POINTS));
      }
      Checks.invariant(result.applied(), "order hold refused", result);
      synchronized (this) {
        open.put(order.id, order);
        openPerOwner.merge(order.owner, 1, Integer::sum);
        dirty.add(order);
      }
      List<TradeFill> fills = new ArrayList<>();
      return match(order, fills).handle((v, failure) -> {
        // A store failure mid-match leaves the taker resting with its current, valid hold.
        synchronized (this) {
          if (order.remaining == 0) {
            close(order, OrderStatus.FILLED);
          } else {
            sides.computeIfAbsent(key(order.sellType, order.buyType), k -> new TreeSet<>(Order.PRICE_TIME)).add(order);
          }
          return new Placement(order.remaining == 0 ? PlaceResult.FILLED : PlaceResult.PLACED, order.view(), fills);
        }
      });
    });
  }

  // ---- matching -------------------------------------------------------------------------------------

  private CompletionStage<Void> match(Order taker, List<TradeFill> fills) {
    Order maker;
    Optional<Matching.Fill> fill;
    synchronized (this) {
      TreeSet<Order> makers = sides.get(key(taker.buyType, taker.sellType));
      if (taker.remaining == 0 || makers == null || makers.isEmpty()) return done(null);
      maker = makers.first();
      if (!Matching.crosses(taker.sellAmount, taker.buyAmount, maker.sellAmount, maker.buyAmount)) return done(null);
      if (maker.owner.equals(taker.owner)) {
        return release(maker, OrderStatus.CANCELLED_SELF_TRADE).thenCompose(v -> match(taker, fills));
      }
      fill = Matching.fill(taker.sellAmount, taker.buyAmount, taker.remaining, maker.sellAmount, maker.buyAmount,
          maker.remaining);
    }
    if (fill.isEmpty()) return done(null);
    UUID fillId = Settlement.fillId(taker, maker);
    Settlement.Chain chain = Settlement.build(fillId, taker, maker, fill.get(), escrow(taker.sellType),
        escrow(maker.sellType), fee(taker.sellType), fee(maker.sellType), options.feeBasisPoints(),
        holdSeconds(maker), holdSeconds(taker));
    return submit(chain.transfers()).thenCompose(results -> {
      if (results.stream().allMatch(TransferResult::applied)) {
        applyFill(fillId, taker, maker, fill.get(), chain, fills);
        return match(taker, fills);
      }
      int culprit = 0;
      while (culprit < results.size() && results.get(culprit) == TransferResult.LINKED_EVENT_FAILED) culprit++;
      Checks.invariant(culprit <= chain.makerPart() + 2, "fill refused past the holds", results);
      if (culprit <= chain.makerPart()) {
        return release(maker, OrderStatus.CANCELLED_BY_LEDGER).thenCompose(v -> match(taker, fills));
      }
      return done(null); // the taker's own hold is refused: stop; it rests and its owner may cancel it
    });
  }

  private synchronized void applyFill(UUID fillId, Order taker, Order maker, Matching.Fill fill,
                                      Settlement.Chain chain, List<TradeFill> fills) {
    dirty.add(maker);
    dirty.add(taker);
    maker.remaining -= fill.makerGives();
    maker.received += fill.takerGives() - chain.makerFee();
    maker.holdGeneration++;
    taker.remaining -= fill.takerGives();
    taker.received += fill.makerGives() - chain.takerFee();
    taker.holdGeneration++;
    Checks.invariant(maker.remaining >= 0 && taker.remaining >= 0, "negative remainder", fillId);
    if (maker.remaining == 0) {
      sides.get(key(maker.sellType, maker.buyType)).remove(maker);
      close(maker, OrderStatus.FILLED);
    }
    TradeFill f = new TradeFill(fillId, maker.id, taker.id, maker.sellType, fill.makerGives(), taker.sellType,
        fill.takerGives(), chain.makerFee(), chain.takerFee(), clock.instant());
    fills.add(f);
    ArrayDeque<TradeFill> recent = recentFills.computeIfAbsent(pairKey(maker.sellType, taker.sellType),
        k -> new ArrayDeque<>());
    recent.addFirst(f);
    while (recent.size() > options.recentFillsMax()) recent.removeLast();
  }

  private int holdSeconds(Order o) {
    long left = Duration.between(clock.instant(), o.expiresAt).toSeconds();
    return (int) Math.max(1, left) + options.holdGraceSeconds();
  }

  // ---- cancel and expiry ----------------------------------------------------------------------------

  private CompletionStage<CancelResult> doCancel(String owner, UUID orderId) {
    Order order;
    synchronized (this) {
      order = open.get(orderId);
      if (order == null) {
        Order c = closed.get(orderId);
        return done(c != null && c.owner.equals(owner) ? CancelResult.ALREADY_CLOSED : CancelResult.NOT_FOUND);
      }
      if (!order.owner.equals(owner)) return done(CancelResult.NOT_FOUND);
    }
    return release(order, OrderStatus.CANCELLED).thenApply(v -> CancelResult.CANCELLED);
  }

  private CompletionStage<Integer> doExpireDue() {
    Instant now = clock.instant();
    List<Order> due = new ArrayList<>();
    synchronized (this) {
      for (Order o : open.values()) if (!now.isBefore(o.expiresAt)) due.add(o);
    }
    CompletionStage<Void> chain = done(null);
    for (Order o : due) chain = chain.thenCompose(v -> release(o, OrderStatus.EXPIRED));
    return chain.thenApply(v -> due.size());
  }

  /** Voids the order's current hold and closes it. The ledger may already have released an old hold. */
  private CompletionStage<Void> release(Order order, OrderStatus status) {
    Transfer release = Transfer.voidPending(Transfer.idOf("trade:order:" + order.id + ":release"), order.holdId(),
        TransferCodes.TRADE_RELEASE, order.reference());
    return submit(List.of(release)).thenAccept(results -> {
      TransferResult r = results.get(0);
      Checks.invariant(r.applied() || r == TransferResult.PENDING_TRANSFER_EXPIRED
          || r == TransferResult.PENDING_TRANSFER_ALREADY_VOIDED, "hold release refused", r);
      synchronized (this) {
        TreeSet<Order> side = sides.get(key(order.sellType, order.buyType));
        if (side != null) side.remove(order);
        close(order, status);
      }
    });
  }

  private void close(Order order, OrderStatus status) {
    order.status = status;
    dirty.add(order);
    if (open.remove(order.id) != null) openPerOwner.computeIfPresent(order.owner, (k, n) -> n <= 1 ? null : n - 1);
    closed.put(order.id, order);
  }

  // ---- plumbing -------------------------------------------------------------------------------------

  private CompletionStage<List<TransferResult>> submit(List<Transfer> transfers) {
    return attempt(transfers, 1);
  }

  private CompletionStage<List<TransferResult>> attempt(List<Transfer> transfers, int n) {
    return ledger.submit(transfers).handle((results, failure) -> failure == null ? done(results)
            : n >= SETTLE_ATTEMPTS_MAX ? CompletableFuture.<List<TransferResult>>failedFuture(failure)
            : attempt(transfers, n + 1))
        .thenCompose(s -> s);
  }

  private <T> CompletionStage<T> serial(Supplier<CompletionStage<T>> command, T busy) {
    CompletableFuture<Void> previous;
    CompletableFuture<Void> finished = new CompletableFuture<>();
    synchronized (this) {
      if (queued >= options.commandsQueuedMax()) return done(busy);
      queued++;
      previous = tail;
      tail = finished;
    }
    CompletableFuture<T> result = previous.thenCompose(v -> command.get())
        .thenCompose(value -> flush().thenApply(v -> value)).toCompletableFuture();
    result.whenComplete((v, e) -> {
      synchronized (this) {
        queued--;
      }
      finished.complete(null);
    });
    return result;
  }

  /**
   * Writes the orders the command changed. A failed write is kept for the next command: the ledger has
   * already moved, so the command's answer stands, and restore reconciles a stale journal with the ledger.
   */
  private CompletionStage<Void> flush() {
    List<OrderSnapshot> changed;
    List<Order> orders;
    synchronized (this) {
      if (dirty.isEmpty()) return done(null);
      orders = new ArrayList<>(dirty);
      changed = new ArrayList<>(orders.size());
      for (Order o : orders) changed.add(o.snapshot());
      dirty.clear();
    }
    return journal.save(changed).handle((v, failure) -> {
      if (failure != null) {
        synchronized (this) {
          dirty.addAll(orders);
        }
      }
      return null;
    });
  }

  /** Open orders on the books now, for a journal that rewrites itself or a test that audits. */
  public synchronized List<OrderSnapshot> openOrders() {
    List<OrderSnapshot> out = new ArrayList<>(open.size());
    for (Order o : open.values()) out.add(o.snapshot());
    return out;
  }

  /**
   * Puts journaled open orders back on their books after a restart (call once, before taking orders). Each
   * is checked against the ledger: a later hold generation than journaled means fills the journal missed
   * (their remainder is taken from the ledger); then the current hold is voided and the remainder held again
   * under the next generation, in one linked chain, with a fresh timeout. If the hold is gone (posted by a
   * fill, released by its timeout, never made) the order is closed instead. Answers how many are open again.
   */
  public CompletionStage<Integer> restore(List<OrderSnapshot> journaled) {
    return serial(() -> {
      CompletionStage<Integer> chain = done(0);
      for (OrderSnapshot s : journaled) {
        if (!s.status().open()) continue;
        chain = chain.thenCompose(n -> restoreOne(new Order(s)).thenApply(back -> back ? n + 1 : n));
      }
      return chain;
    }, -1);
  }

  private CompletionStage<Boolean> restoreOne(Order order) {
    synchronized (this) {
      seq = Math.max(seq, order.seq);
      if (open.containsKey(order.id)) return done(true);
    }
    return house(order.sellType).thenCompose(x -> house(order.buyType)).thenCompose(x -> latestHold(order, 0))
        .thenCompose(found -> {
          boolean expired = !clock.instant().isBefore(order.expiresAt);
          Transfer release = Transfer.voidPending(Transfer.idOf("trade:order:" + order.id + ":restore:" + order.holdGeneration),
              order.holdId(), TransferCodes.TRADE_RELEASE, order.reference());
          List<Transfer> transfers = expired ? List.of(release) : List.of(release.linked(),
              Transfer.reserve(order.holdId(order.holdGeneration + 1), order.sellAccount, escrow(order.sellType),
                  order.remaining, holdSeconds(order), TransferCodes.TRADE_HOLD, order.reference()));
          return submit(transfers).thenApply(results -> {
            TransferResult r = results.get(0);
            synchronized (this) {
              if (!expired && results.stream().allMatch(TransferResult::applied)) {
                order.holdGeneration++;
                open.put(order.id, order);
                openPerOwner.merge(order.owner, 1, Integer::sum);
                sides.computeIfAbsent(key(order.sellType, order.buyType), k -> new TreeSet<>(Order.PRICE_TIME)).add(order);
                dirty.add(order);
                return true;
              }
              Checks.invariant(r.applied() || r == TransferResult.PENDING_TRANSFER_ALREADY_POSTED
                  || r == TransferResult.PENDING_TRANSFER_ALREADY_VOIDED || r == TransferResult.PENDING_TRANSFER_EXPIRED
                  || r == TransferResult.PENDING_TRANSFER_NOT_FOUND, "restore refused", results);
              if (r == TransferResult.PENDING_TRANSFER_ALREADY_POSTED) order.remaining = 0;
              closed.put(order.id, order);
              order.status = expired ? OrderStatus.EXPIRED
                  : r == TransferResult.PENDING_TRANSFER_ALREADY_POSTED ? OrderStatus.FILLED : OrderStatus.CANCELLED_BY_LEDGER;
              dirty.add(order);
              return false;
            }
          });
        });
  }

  /** Follows hold generations the journal missed (a fill committed just before a crash) to the newest one. */
  private CompletionStage<Void> latestHold(Order order, int steps) {
    if (steps >= HOLD_GENERATIONS_PROBED_MAX) return done(null);
    return ledger.transfer(order.holdId(order.holdGeneration + 1)).thenCompose(next -> {
      if (next.isEmpty()) return done(null);
      order.holdGeneration++;
      order.remaining = next.get().transfer().amount();
      return latestHold(order, steps + 1);
    });
  }

  private long escrow(int type) {
    return accounts.escrow(type);
  }

  private long fee(int type) {
    return accounts.fee(type);
  }

  private CompletionStage<Void> house(int type) {
    return accounts.house(type);
  }

  private static long key(int sellType, int buyType) {
    return ((long) sellType << 32) | (buyType & 0xffffffffL);
  }

  private static long pairKey(int a, int b) {
    return key(Math.min(a, b), Math.max(a, b));
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
