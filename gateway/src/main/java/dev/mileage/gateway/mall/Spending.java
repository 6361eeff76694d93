package dev.mileage.gateway.mall;

import dev.mileage.points.engine.Exchange;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Users spending tokens at vendors and exchanging them between vendors, at the current rates (the ledger's
 * cash value of each token).
 *
 * <p>A purchase at vendor W with tokens of vendor V is ONE linked chain: the tokens go from the user to
 * {@code vendor:W:taken}; when V is not W, V's reimbursement of W (the tokens' value) is reserved from V's
 * cash position to W's (owed until V pays it, see {@link Settlements}) and the mall's royalty is charged to W.
 * An exchange is one chain too: points-core's {@link Exchange} (tokens of V in, the service charge kept in
 * V's tokens, tokens of U out), V's reimbursement of U for the tokens U now owes, and V's payment of the
 * service charge's value to the mall.
 */
final class Spending {
  private final Journal journal;
  private final MallLedger ledger;
  private final Vendors vendors;
  private final MallOptions options;

  Spending(Journal journal, MallLedger ledger, Vendors vendors, MallOptions options) {
    this.journal = journal;
    this.ledger = ledger;
    this.vendors = vendors;
    this.options = options;
  }

  static long rateWon(PointType t) {
    return t.cashMicrosPerUnit() / 1_000_000L;
  }

  /**
   * Buys the product {@code sku} of vendor {@code at} with the member's tokens of vendor {@code tokenVendor} (its
   * own or its gift-certificate tokens; auction tokens are refused before anything is written).
   */
  Future<Outcome.Result> spend(long memberId, Vendor at, Vendor tokenVendor, String sku, String requestKey) {
    Entry request = Entry.draft(Entry.SPEND, "member:" + memberId + ":spend:" + requestKey, at.id(), tokenVendor.id(), null,
        memberId, sku, 0).withTokenKind(tokenVendor.tokenKind());
    if (tokenVendor.auctionOnly()) return Future.succeededFuture(Outcome.AUCTION_TOKENS_ONLY.error());
    return journal.byKeyOrNull(request.requestKey()).compose(existing -> {
      if (existing != null) return resumeSpend(existing, request);
      return Future.all(vendors.product(at.id(), sku), vendors.accepts(at.id(), tokenVendor.id()), vendors.tokenTypes())
          .compose(all -> {
            JsonObject product = all.resultAt(0);
            boolean accepted = all.resultAt(1);
            Map<Integer, PointType> types = all.resultAt(2);
            if (product == null) return Future.succeededFuture(Outcome.NO_SUCH_PRODUCT.error());
            PointType token = types.get(tokenVendor.pointType());
            if (token.restricted() && !token.allowedProducts().contains(at.id() + ":" + sku)) {
              return Future.succeededFuture(Outcome.TOKEN_NOT_ALLOWED.error());
            }
            if (!accepted) return Future.succeededFuture(Outcome.NOT_ACCEPTED.error());
            long price = product.getLong("priceTokens");
            long rateAt = rateWon(types.get(at.pointType()));
            long rateToken = rateWon(token);
            long tokens = at.id() == tokenVendor.id() ? price : ceilDiv(Math.multiplyExact(price, rateAt), rateToken);
            long value = Math.multiplyExact(tokens, rateToken);
            long royalty = at.id() == tokenVendor.id() ? 0 : basisPoints(value, options.royaltyBasisPoints());
            Entry draft = request.withFigures(tokens, 0, value, royalty, 0, 0, 0);
            return journal.begin(draft).compose(b -> b.fresh() ? runSpend(b.entry(), at, tokenVendor)
                : resumeSpend(b.entry(), request));
          });
    });
  }

  private Future<Outcome.Result> resumeSpend(Entry e, Entry request) {
    if (!e.sameRequest(request)) return Future.succeededFuture(Outcome.REQUEST_KEY_REUSED.error());
    if (e.status().equals(Entry.DONE)) return Future.succeededFuture(Outcome.DONE.with(e.toJson()));
    return Future.all(vendors.find(e.vendorId()), vendors.find(e.tokenVendorId()).compose(t -> vendors.token(t, e.tokenKind())))
        .compose(v -> runSpend(e, v.resultAt(0), v.resultAt(1)));
  }

  private Future<Outcome.Result> runSpend(Entry e, Vendor at, Vendor tokenVendor) {
    int token = tokenVendor.pointType();
    boolean cross = at.id() != tokenVendor.id();
    String ref = "bought " + e.sku() + " at vendor " + at.id();
    return Future.all(List.of(ledger.holding(MallLedger.member(e.memberId()), token), ledger.holding(MallLedger.taken(at.id()), token),
            ledger.open(MallLedger.vendor(tokenVendor.id()), MallLedger.CASH), ledger.open(MallLedger.vendor(at.id()), MallLedger.CASH),
            ledger.open(MallLedger.ROYALTIES, MallLedger.CASH)))
        .compose(a -> {
          List<Transfer> chain = new ArrayList<>();
          chain.add(Transfer.single(MallLedger.id(e.id(), "spend"), a.resultAt(0), a.resultAt(1), e.tokens(),
              TransferCodes.TOKEN_SPEND, ref));
          if (cross) {
            chain.add(Transfer.reserve(MallLedger.id(e.id(), "reimburse"), a.resultAt(2), a.resultAt(3), e.valueWon(), 0,
                TransferCodes.TOKEN_REIMBURSEMENT, "reimbursement of vendor " + at.id() + " for " + ref));
            if (e.royaltyWon() > 0) {
              chain.add(Transfer.single(MallLedger.id(e.id(), "royalty"), a.resultAt(3), a.resultAt(4), e.royaltyWon(),
                  TransferCodes.TOKEN_ROYALTY, "royalty on " + ref));
            }
          }
          return ledger.chain(chain);
        })
        .compose(r -> finish(e, r, cross ? Journal.Reimbursement.owed(tokenVendor.id(), at.id(), e.valueWon(),
            MallLedger.id(e.id(), "reimburse")) : null));
  }

  private Future<Outcome.Result> finish(Entry e, List<TransferResult> results, Journal.Reimbursement owed) {
    if (MallLedger.applied(results)) return journal.done(e, null, owed, false).map(d -> Outcome.DONE.with(d.toJson()));
    TransferResult cause = MallLedger.cause(results);
    if (cause == TransferResult.EXCEEDS_CREDITS) {
      return journal.forget(e.id()).map(x -> Outcome.INSUFFICIENT_TOKENS.with(new JsonObject()
          .put("error", Outcome.INSUFFICIENT_TOKENS.error).put("reason", Outcome.INSUFFICIENT_TOKENS.reason)
          .put("tokensNeeded", e.tokens())));
    }
    return Future.failedFuture(new IllegalStateException("mall chain answered " + results));
  }

  /** What an exchange would give now: tokens received, the service charge, both rates. */
  record Quote(Exchange.Plan plan, long rateFromWon, long rateToWon) {
    JsonObject toJson(Vendor from, Vendor to, long tokens, int serviceChargeBasisPoints) {
      return new JsonObject().put("fromVendorId", from.id()).put("toVendorId", to.id()).put("tokens", tokens)
          .put("fromToken", from.pointTypeCode()).put("toToken", to.pointTypeCode())
          .put("rateFromWon", rateFromWon).put("rateToWon", rateToWon)
          .put("serviceChargeBasisPoints", serviceChargeBasisPoints).put("serviceChargeTokens", plan.feeA())
          .put("serviceChargeWon", plan.feeA() * rateFromWon).put("credited", plan.amountB());
    }
  }

  Future<Outcome.Result> quote(Vendor from, Vendor to, long tokens) {
    return plan("quote", 1, 2, 3, 4, 5, from, to, tokens).map(q -> q == null ? Outcome.TOO_SMALL.error()
        : Outcome.DONE.with(q.toJson(from, to, tokens, options.serviceChargeBasisPoints())));
  }

  private Future<Quote> plan(String key, long customerA, long poolA, long feeA, long poolB, long customerB, Vendor from,
                             Vendor to, long tokens) {
    return vendors.tokenTypes().map(types -> {
      PointType a = types.get(from.pointType());
      PointType b = types.get(to.pointType());
      return Exchange.plan(new Exchange.Request(key, customerA, poolA, feeA, poolB, customerB, tokens, a.cashMicrosPerUnit(),
              b.cashMicrosPerUnit(), options.serviceChargeBasisPoints()))
          .map(p -> new Quote(p, rateWon(a), rateWon(b))).orElse(null);
    });
  }

  /**
   * Exchanges the member's {@code tokens} of {@code from} into tokens of {@code to} at the current rates, less
   * the service charge. {@code expectedCredited} (optional) is what the member was shown: a different figure
   * now (the rates moved) is refused, so nobody confirms one price and gets another.
   */
  Future<Outcome.Result> exchange(long memberId, Vendor from, Vendor to, long tokens, Long expectedCredited, String requestKey) {
    Entry request = Entry.draft(Entry.EXCHANGE, "member:" + memberId + ":exchange:" + requestKey, from.id(), from.id(), to.id(),
        memberId, null, tokens);
    if (!from.exchangeable() || !to.exchangeable()) return Future.succeededFuture(Outcome.NOT_EXCHANGEABLE.error());
    return journal.byKeyOrNull(request.requestKey()).compose(existing -> {
      if (existing != null && !existing.sameRequest(request)) return Future.succeededFuture(Outcome.REQUEST_KEY_REUSED.error());
      if (existing != null && existing.status().equals(Entry.DONE)) return Future.succeededFuture(Outcome.DONE.with(existing.toJson()));
      return Future.all(List.of(ledger.holding(MallLedger.member(memberId), from.pointType()),
              ledger.open(MallLedger.EXCHANGE, from.pointType()), ledger.open(MallLedger.SERVICE_CHARGES, from.pointType()),
              ledger.open(MallLedger.EXCHANGE, to.pointType()), ledger.holding(MallLedger.member(memberId), to.pointType()),
              ledger.open(MallLedger.vendor(from.id()), MallLedger.CASH), ledger.open(MallLedger.vendor(to.id()), MallLedger.CASH),
              ledger.open(MallLedger.SERVICE_CHARGES, MallLedger.CASH)))
          .compose(a -> {
            Future<Entry> entry = existing != null ? Future.succeededFuture(existing)
                : plan("probe", 1, 2, 3, 4, 5, from, to, tokens).compose(q -> {
                  if (q == null) return Future.succeededFuture(null);
                  if (expectedCredited != null && expectedCredited != q.plan().amountB()) {
                    return Future.succeededFuture(request.withReason("RATE_CHANGED"));
                  }
                  return journal.begin(request.withFigures(tokens, q.plan().amountB(), q.plan().amountB() * q.rateToWon(), 0,
                      q.plan().feeA() * q.rateFromWon(), 0, q.plan().feeA())).map(Journal.Begun::entry);
                });
            return entry.compose(e -> {
              if (e == null) return Future.succeededFuture(Outcome.TOO_SMALL.error());
              if (e.id() == 0) return Future.succeededFuture(Outcome.RATE_CHANGED.error());
              if (!e.sameRequest(request)) return Future.succeededFuture(Outcome.REQUEST_KEY_REUSED.error());
              if (e.status().equals(Entry.DONE)) return Future.succeededFuture(Outcome.DONE.with(e.toJson()));
              return runExchange(e, from, to, a.resultAt(0), a.resultAt(1), a.resultAt(2), a.resultAt(3), a.resultAt(4),
                  a.resultAt(5), a.resultAt(6), a.resultAt(7));
            });
          });
    });
  }

  /** The chain from the figures fixed in the entry, so a resumed exchange moves exactly the same. */
  private Future<Outcome.Result> runExchange(Entry e, Vendor from, Vendor to, long member, long poolA, long feeA, long poolB,
                                             long memberB, long cashFrom, long cashTo, long charges) {
    String key = "mall:entry:" + e.id();
    String ref = "exchange of vendor " + from.id() + " tokens into vendor " + to.id() + " tokens";
    long converted = e.tokens() - e.feeTokens();
    List<Transfer> chain = new ArrayList<>();
    chain.add(Transfer.single(Transfer.idOf("exchange:" + key + ":debit"), member, poolA, converted, TransferCodes.EXCHANGE, ref));
    if (e.feeTokens() > 0) {
      chain.add(Transfer.single(Transfer.idOf("exchange:" + key + ":fee"), member, feeA, e.feeTokens(),
          TransferCodes.EXCHANGE_FEE, "service charge of an " + ref));
    }
    chain.add(Transfer.single(Transfer.idOf("exchange:" + key + ":credit"), poolB, memberB, e.creditedTokens(),
        TransferCodes.EXCHANGE, ref));
    chain.add(Transfer.reserve(MallLedger.id(e.id(), "reimburse"), cashFrom, cashTo, e.valueWon(), 0,
        TransferCodes.TOKEN_REIMBURSEMENT, "reimbursement for an " + ref));
    if (e.serviceChargeWon() > 0) {
      chain.add(Transfer.single(MallLedger.id(e.id(), "service-charge"), cashFrom, charges, e.serviceChargeWon(),
          TransferCodes.TOKEN_SERVICE_CHARGE, "service charge of an " + ref));
    }
    return ledger.chain(chain).compose(r -> finish(e, r, Journal.Reimbursement.owed(from.id(), to.id(), e.valueWon(),
        MallLedger.id(e.id(), "reimburse"))));
  }

  static long ceilDiv(long a, long b) {
    return Math.floorDiv(a + b - 1, b);
  }

  /** {@code value * basisPoints / 10000}, rounded down, exactly. */
  static long basisPoints(long value, int basisPoints) {
    return BigInteger.valueOf(value).multiply(BigInteger.valueOf(basisPoints))
        .divide(BigInteger.valueOf(MallOptions.BASIS_POINTS_MAX)).longValueExact();
  }
}
