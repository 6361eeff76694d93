package dev.mileage.points.trading;

import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

/** An order's mutable state inside the desk; touched only by the desk's serial commands. */
final class Order {
  /** Best price for a taker first (wants least per point given), then oldest first. */
  static final Comparator<Order> PRICE_TIME = (a, b) -> {
    int byPrice = Matching.comparePrice(a.sellAmount, a.buyAmount, b.sellAmount, b.buyAmount);
    return byPrice != 0 ? byPrice : Long.compare(a.seq, b.seq);
  };

  final UUID id;
  final String owner;
  final int sellType;
  final long sellAmount;
  final int buyType;
  final long buyAmount;
  final long seq;
  final Instant placedAt;
  final Instant expiresAt;
  final long sellAccount;
  final long buyAccount;
  long remaining;
  long received;
  /** The current hold is generation {@code holdGeneration}; each partial fill replaces it with the next. */
  int holdGeneration;
  OrderStatus status = OrderStatus.OPEN;

  Order(UUID id, OrderRequest r, long seq, Instant placedAt, Instant expiresAt, long sellAccount, long buyAccount) {
    this.id = id;
    this.owner = r.owner();
    this.sellType = r.sellType();
    this.sellAmount = r.sellAmount();
    this.buyType = r.buyType();
    this.buyAmount = r.buyAmount();
    this.seq = seq;
    this.placedAt = placedAt;
    this.expiresAt = expiresAt;
    this.sellAccount = sellAccount;
    this.buyAccount = buyAccount;
    this.remaining = r.sellAmount();
  }

  Order(OrderSnapshot s) {
    this.id = s.id();
    this.owner = s.owner();
    this.sellType = s.sellType();
    this.sellAmount = s.sellAmount();
    this.buyType = s.buyType();
    this.buyAmount = s.buyAmount();
    this.seq = s.seq();
    this.placedAt = s.placedAt();
    this.expiresAt = s.expiresAt();
    this.sellAccount = s.sellAccount();
    this.buyAccount = s.buyAccount();
    this.remaining = s.remaining();
    this.received = s.received();
    this.holdGeneration = s.holdGeneration();
    this.status = s.status();
  }

  OrderSnapshot snapshot() {
    return new OrderSnapshot(id, owner, sellType, sellAmount, buyType, buyAmount, seq, placedAt, expiresAt, sellAccount,
        buyAccount, remaining, received, holdGeneration, status);
  }

  UUID holdId() {
    return holdId(holdGeneration);
  }

  UUID holdId(int generation) {
    return dev.mileage.points.ledger.Transfer.idOf("trade:order:" + id + ":hold:" + generation);
  }

  String reference() {
    return "trade order " + id;
  }

  OrderView view() {
    return new OrderView(id, owner, sellType, sellAmount, buyType, buyAmount, remaining, received, status, placedAt,
        expiresAt);
  }
}
