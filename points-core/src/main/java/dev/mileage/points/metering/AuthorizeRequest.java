package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A request to open a metered session for {@code owner} (the ledger owner, e.g. {@code member:42}).
 *
 * @param destination         for CALL: the dialled E.164 number ({@code +821012345678}); for STREAM: empty
 * @param contentKind         for STREAM: what is streamed; for CALL: null
 * @param contentId           for STREAM: the content's id, for the usage record; for CALL: empty
 * @param pointType           the point type to pay with, or 0: the tariff's first type the owner can pay one
 *                            increment with
 * @param reference           the caller's key for the session, kept in the usage record (SIP Call-ID, stream id)
 * @param itemPointsPerMinute for STREAM: the item's own price, read by the caller when the session starts; it
 *                            replaces the kind's rate (the kind's increments and minimum still apply, see
 *                            {@link TariffBook#rateItem}). Empty: the kind's tariff. Always empty for CALL.
 */
public record AuthorizeRequest(String owner, ServiceKind service, String destination, ContentKind contentKind,
                               String contentId, int pointType, String reference, OptionalLong itemPointsPerMinute) {
  public static final int REFERENCE_LENGTH_MAX = 128;
  public static final int CONTENT_ID_LENGTH_MAX = 64;

  public AuthorizeRequest {
    Objects.requireNonNull(owner, "owner");
    if (owner.isEmpty() || owner.length() > Account.OWNER_LENGTH_MAX) throw new IllegalArgumentException("bad owner");
    Objects.requireNonNull(service, "service");
    destination = destination == null ? "" : destination;
    contentId = contentId == null ? "" : contentId;
    reference = reference == null ? "" : reference;
    itemPointsPerMinute = itemPointsPerMinute == null ? OptionalLong.empty() : itemPointsPerMinute;
    Checks.requireNonNegative(pointType, "pointType");
    if (service == ServiceKind.CALL && contentKind != null) throw new IllegalArgumentException("a call has no content");
    if (service == ServiceKind.STREAM && contentKind == null) throw new IllegalArgumentException("a stream needs a kind");
    if (service == ServiceKind.CALL && itemPointsPerMinute.isPresent()) {
      throw new IllegalArgumentException("a call is rated by its destination, not an item price");
    }
    if (itemPointsPerMinute.isPresent()) {
      long price = Checks.requireNonNegative(itemPointsPerMinute.getAsLong(), "itemPointsPerMinute");
      if (price > Tariff.POINTS_PER_MINUTE_MAX) throw new IllegalArgumentException("itemPointsPerMinute too large");
    }
    if (destination.length() > 16) throw new IllegalArgumentException("destination too long");
    if (contentId.length() > CONTENT_ID_LENGTH_MAX) throw new IllegalArgumentException("contentId too long");
    if (reference.length() > REFERENCE_LENGTH_MAX) throw new IllegalArgumentException("reference too long");
  }

  public static AuthorizeRequest call(String owner, String e164Number, String reference) {
    return new AuthorizeRequest(owner, ServiceKind.CALL, e164Number, null, "", 0, reference, OptionalLong.empty());
  }

  /** A stream rated by its kind's tariff. */
  public static AuthorizeRequest stream(String owner, ContentKind kind, String contentId, String reference) {
    return new AuthorizeRequest(owner, ServiceKind.STREAM, "", kind, contentId, 0, reference, OptionalLong.empty());
  }

  /** This stream at the item's own price instead of its kind's rate. */
  public AuthorizeRequest atItemPrice(long pointsPerMinute) {
    return new AuthorizeRequest(owner, service, destination, contentKind, contentId, pointType, reference,
        OptionalLong.of(pointsPerMinute));
  }

  public AuthorizeRequest payingWith(int pointType) {
    return new AuthorizeRequest(owner, service, destination, contentKind, contentId, pointType, reference,
        itemPointsPerMinute);
  }
}
