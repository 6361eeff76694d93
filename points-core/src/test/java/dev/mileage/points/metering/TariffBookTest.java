package dev.mileage.points.metering;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TariffBookTest {
  static final Tariff KOREA = Tariff.of(10, 60, 6, 0);
  static final Tariff KOREA_MOBILE = Tariff.of(20, 1, 1, 0);
  static final Tariff WORLD = Tariff.of(100, 60, 60, 50);

  static TariffBook book() {
    return new TariffBook(3, List.of(
        CallRate.rated("82", "Korea", KOREA),
        CallRate.rated("8210", "Korea mobile", KOREA_MOBILE),
        CallRate.blocked("82060", "Korea premium"),
        CallRate.rated("1", "North America", WORLD),
        CallRate.blocked("1900", "US premium")),
        List.of(new StreamRate(ContentKind.VIDEO, "Video", Tariff.of(30, 60, 60, 0))));
  }

  @Test
  void longestPrefixWins() {
    TariffBook book = book();
    Rating mobile = book.rateCall("+821012345678");
    assertEquals(RateResult.RATED, mobile.result());
    assertEquals("8210", mobile.matched());
    assertEquals(KOREA_MOBILE, mobile.tariff());
    assertEquals(KOREA, book.rateCall("+82212345678").tariff());
    assertEquals(WORLD, book.rateCall("+12125551234").tariff());
  }

  @Test
  void blockedPrefixesRefuseEvenUnderARatedOne() {
    Rating premium = book().rateCall("+82060123456");
    assertEquals(RateResult.BLOCKED, premium.result());
    assertEquals("82060", premium.matched());
    assertNull(premium.tariff());
    assertEquals(RateResult.BLOCKED, book().rateCall("+19005551234").result());
  }

  @Test
  void invalidAndUnratedNumbers() {
    TariffBook book = book();
    for (String bad : new String[] {null, "", "821012345678", "+0123", "+1", "+12345678901234567", "+82 10 1234",
        "+82-10", "tel:+8210"}) {
      assertEquals(RateResult.INVALID_NUMBER, book.rateCall(bad).result(), String.valueOf(bad));
    }
    assertEquals(RateResult.NO_TARIFF, book.rateCall("+4930123456").result());
  }

  @Test
  void streamsRateByContentKind() {
    assertTrue(book().rateStream(ContentKind.VIDEO).rated());
    assertEquals(RateResult.NO_TARIFF, book().rateStream(ContentKind.MUSIC).result());
  }

  @Test
  void anItemPriceKeepsItsKindsBillingRules() {
    Rating item = book().rateItem(ContentKind.VIDEO, 90);
    assertTrue(item.rated());
    assertEquals("VIDEO", item.matched());
    assertEquals(TariffBook.ITEM_PRICE_LABEL, item.label());
    assertEquals(Tariff.of(90, 60, 60, 0), item.tariff(), "the kind's increments at the item's price");
    assertEquals(Tariff.of(30, 60, 60, 0), book().rateStream(ContentKind.VIDEO).tariff(), "the kind is unchanged");
    assertEquals(RateResult.NO_TARIFF, book().rateItem(ContentKind.MUSIC, 90).result(), "no rules to apply the price to");
    assertThrows(IllegalArgumentException.class, () -> book().rateItem(ContentKind.VIDEO, -1));
    assertThrows(IllegalArgumentException.class, () -> book().rateItem(ContentKind.VIDEO, Tariff.POINTS_PER_MINUTE_MAX + 1));
  }

  @Test
  void onlyStreamsCarryAnItemPrice() {
    AuthorizeRequest stream = AuthorizeRequest.stream("member:1", ContentKind.VIDEO, "7", "s");
    assertTrue(stream.itemPointsPerMinute().isEmpty());
    assertEquals(120, stream.atItemPrice(120).itemPointsPerMinute().getAsLong());
    assertEquals(120, stream.atItemPrice(120).payingWith(1).itemPointsPerMinute().getAsLong());
    assertThrows(IllegalArgumentException.class, () -> stream.atItemPrice(-1));
    assertThrows(IllegalArgumentException.class, () -> stream.atItemPrice(Tariff.POINTS_PER_MINUTE_MAX + 1));
    assertThrows(IllegalArgumentException.class, () -> new AuthorizeRequest("member:1", ServiceKind.CALL, "+8210",
        null, "", 0, "c", java.util.OptionalLong.of(10)));
  }

  @Test
  void rulesAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> CallRate.rated("+82", "x", KOREA));
    assertThrows(IllegalArgumentException.class, () -> CallRate.rated("", "x", KOREA));
    assertThrows(IllegalArgumentException.class, () -> CallRate.rated("1234567890123456", "x", KOREA));
    assertThrows(IllegalArgumentException.class, () -> new CallRate("82", "x", true, KOREA));
    assertThrows(IllegalArgumentException.class, () -> new TariffBook(1,
        List.of(CallRate.rated("82", "a", KOREA), CallRate.blocked("82", "b")), List.of()));
    assertFalse(TariffBook.isE164("+"));
  }
}
