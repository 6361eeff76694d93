package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An exchange between point types as one LINKED chain through the issuers' accounts: the source points
 * go back to their issuer, the target issuer pays out the cash-equivalent amount, and the fee (if any)
 * goes from the member's new points to the target issuer. All transfers succeed or none does. Ids derive
 * from the caller's key, so a retried exchange answers EXISTS instead of exchanging twice.
 */
public final class Exchange {
  public static final long FEE_BASIS_POINTS_MAX = 10_000;

  /** What to exchange; {@code key} is the business key (e.g. {@code exchange:member:42:2024-05-01T10:00}). */
  public record Request(String key, long fromAccountId, long toAccountId, long amount, long feeBasisPoints,
                        String reference) {
    public Request {
      if (key == null || key.isEmpty() || key.length() > 200) throw new IllegalArgumentException("key must be 1..200 characters");
      Checks.requirePositive(fromAccountId, "fromAccountId");
      Checks.requirePositive(toAccountId, "toAccountId");
      Checks.requirePositive(amount, "amount");
      if (feeBasisPoints < 0 || feeBasisPoints >= FEE_BASIS_POINTS_MAX) {
        throw new IllegalArgumentException("feeBasisPoints must be 0.." + (FEE_BASIS_POINTS_MAX - 1));
      }
      if (fromAccountId == toAccountId) throw new IllegalArgumentException("fromAccountId and toAccountId must differ");
      reference = reference == null ? "" : reference;
    }
  }

  /** The chain to submit, with the figures a person reads back. */
  public record Plan(List<Transfer> transfers, long debited, long credited, long fee) {
    public Plan {
      transfers = List.copyOf(transfers);
    }
  }

  private Exchange() {
  }

  /** Amount of the target type worth {@code amount} of the source type, rounded down; empty on overflow. */
  public static Optional<Long> convert(long amount, PointType from, PointType to) {
    Checks.requirePositive(to.cashMicrosPerUnit(), "cash value of " + to.code());
    BigInteger value = BigInteger.valueOf(amount).multiply(BigInteger.valueOf(from.cashMicrosPerUnit()))
        .divide(BigInteger.valueOf(to.cashMicrosPerUnit()));
    return value.bitLength() < 63 ? Optional.of(value.longValue()) : Optional.empty();
  }

  /**
   * The linked chain. Arguments are the member's two accounts, their point types and the issuers'
   * accounts of both types. Throws IllegalArgumentException for an exchange that cannot be made.
   */
  public static Plan plan(Request request, Account from, PointType fromType, Account fromIssuer, Account to,
                          PointType toType, Account toIssuer) {
    if (from.pointType() == to.pointType()) throw new IllegalArgumentException("accounts have the same point type");
    Checks.invariant(fromType.id() == from.pointType() && toType.id() == to.pointType(), "point types match accounts");
    if (toType.cashMicrosPerUnit() == 0) throw new IllegalArgumentException(toType.code() + " has no cash value");
    long credited = convert(request.amount(), fromType, toType)
        .orElseThrow(() -> new IllegalArgumentException("amount too large to exchange"));
    if (credited == 0) throw new IllegalArgumentException("amount too small: worth less than one " + toType.code());
    long fee = credited * request.feeBasisPoints() / FEE_BASIS_POINTS_MAX;
    String reference = request.reference().isEmpty()
        ? "exchange " + fromType.code() + " -> " + toType.code() : request.reference();
    List<Transfer> chain = new ArrayList<>(3);
    chain.add(Transfer.single(id(request, "out"), from.id(), fromIssuer.id(), request.amount(), TransferCodes.EXCHANGE,
        reference).linked());
    Transfer in = Transfer.single(id(request, "in"), toIssuer.id(), to.id(), credited, TransferCodes.EXCHANGE, reference);
    if (fee > 0) {
      chain.add(in.linked());
      chain.add(Transfer.single(id(request, "fee"), to.id(), toIssuer.id(), fee, TransferCodes.EXCHANGE_FEE, reference));
    } else {
      chain.add(in);
    }
    return new Plan(chain, request.amount(), credited - fee, fee);
  }

  /** Issuer accounts may go negative (they issue); they carry no balance limit. */
  public static final int ISSUER_ACCOUNT_FLAGS = AccountFlags.NONE;

  private static UUID id(Request request, String leg) {
    return Transfer.idOf("exchange:" + request.key() + ":" + leg);
  }
}
