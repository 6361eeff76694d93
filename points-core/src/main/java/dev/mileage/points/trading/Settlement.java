package dev.mileage.points.trading;

import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Builds the ONE linked chain that settles a fill, all of whose transfer ids derive from the fill id, so
 * resubmitting it after a failure answers EXISTS and never settles twice. A ledger POST of a hold
 * releases what it does not post, so a partly filled order's remainder is held again, in the same chain,
 * under the next hold generation: the remainder is never unheld, not even for a moment.
 *
 * <pre>
 *   post maker hold (Y to escrow Y)      [re-hold maker remainder]
 *   post taker hold (X to escrow X)      [re-hold taker remainder]
 *   escrow Y -> taker (less fee)         escrow Y -> fee account Y
 *   escrow X -> maker (less fee)         escrow X -> fee account X
 * </pre>
 */
final class Settlement {
  /** Index of the last transfer that concerns the maker's hold: a failure up to it is the maker's. */
  record Chain(List<Transfer> transfers, int makerPart, long makerFee, long takerFee) {
  }

  private Settlement() {
  }

  static UUID fillId(Order taker, Order maker) {
    return Transfer.idOf("trade:fill:" + taker.id + ":" + maker.id);
  }

  static Chain build(UUID fillId, Order taker, Order maker, Matching.Fill fill, long escrowX, long escrowY,
                     long feeX, long feeY, int feeBasisPoints, int makerHoldSeconds, int takerHoldSeconds) {
    String key = "trade:fill:" + fillId + ":";
    String ref = "trade fill " + fillId;
    int code = TransferCodes.TRADE_FILL;
    List<Transfer> chain = new ArrayList<>(8);
    chain.add(Transfer.post(Transfer.idOf(key + "post-maker"), maker.holdId(), fill.makerGives(), code, ref));
    long makerLeft = maker.remaining - fill.makerGives();
    if (makerLeft > 0) {
      chain.add(Transfer.reserve(maker.holdId(maker.holdGeneration + 1), maker.sellAccount, escrowY, makerLeft,
          makerHoldSeconds, TransferCodes.TRADE_HOLD, maker.reference()));
    }
    int makerPart = chain.size() - 1;
    chain.add(Transfer.post(Transfer.idOf(key + "post-taker"), taker.holdId(), fill.takerGives(), code, ref));
    long takerLeft = taker.remaining - fill.takerGives();
    if (takerLeft > 0) {
      chain.add(Transfer.reserve(taker.holdId(taker.holdGeneration + 1), taker.sellAccount, escrowX, takerLeft,
          takerHoldSeconds, TransferCodes.TRADE_HOLD, taker.reference()));
    }
    long takerFee = Matching.feeOf(fill.makerGives(), feeBasisPoints);
    long makerFee = Matching.feeOf(fill.takerGives(), feeBasisPoints);
    add(chain, key + "to-taker", escrowY, taker.buyAccount, fill.makerGives() - takerFee, code, ref);
    add(chain, key + "fee-taker", escrowY, feeY, takerFee, TransferCodes.TRADE_FEE, ref);
    add(chain, key + "to-maker", escrowX, maker.buyAccount, fill.takerGives() - makerFee, code, ref);
    add(chain, key + "fee-maker", escrowX, feeX, makerFee, TransferCodes.TRADE_FEE, ref);
    List<Transfer> linked = new ArrayList<>(chain.size());
    for (int i = 0; i < chain.size(); i++) linked.add(i < chain.size() - 1 ? chain.get(i).linked() : chain.get(i));
    return new Chain(linked, makerPart, makerFee, takerFee);
  }

  private static void add(List<Transfer> chain, String key, long from, long to, long amount, int code, String ref) {
    if (amount > 0) chain.add(Transfer.single(Transfer.idOf(key), from, to, amount, code, ref));
  }
}
