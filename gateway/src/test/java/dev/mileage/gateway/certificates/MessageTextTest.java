package dev.mileage.gateway.certificates;

import dev.mileage.gateway.members.SipSmsSender;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User text on its way into a SIP MESSAGE: one printable line, bounded, surrogate pairs whole. */
class MessageTextTest {
  static void assertPrintable(String s) {
    s.codePoints().forEach(cp -> {
      int type = Character.getType(cp);
      assertFalse(type == Character.CONTROL || type == Character.SURROGATE || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR, "U+" + Integer.toHexString(cp) + " in " + s);
      assertFalse(type == Character.FORMAT && cp != 0x200D && cp != 0x200C, "format U+" + Integer.toHexString(cp));
    });
  }

  @Test
  void lineBreaksAndTabsBecomeOneSpace() {
    assertEquals("Hi there Content-Type: text/html Via: x", MessageText.oneLine("  Hi\r\nthere\r\n\r\nContent-Type: text/html\n\tVia: x \r", 200));
    assertEquals("a b c d", MessageText.oneLine("a\u2028b\u2029c\u0085d", 200));
    assertEquals("", MessageText.oneLine("\r\n\t ", 200));
    assertEquals("", MessageText.oneLine(null, 200));
  }

  @Test
  void controlAndFormatCharactersAreDropped() {
    String hostile = "pay\u0000me\u001b[31m red\u007f\u0090\u009b \u202Eevil\u202C \uFEFFbom \uFFFE\uFDD0x \ud800lone \udc00low";
    String s = MessageText.oneLine(hostile, 200);
    assertEquals("payme[31m red evil bom x lone low", s);
    assertPrintable(s);
  }

  @Test
  void koreanAndEmojiStayIntact() {
    String korean = "생일 축하해요! 콘서트 즐겁게 보내세요 \uD83C\uDF89 \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
    assertEquals(korean, MessageText.oneLine(korean, 200));
  }

  @Test
  void longTextIsCutOnACodePointWithAnEllipsis() {
    assertEquals("abcd\u2026", MessageText.oneLine("abcdefgh", 5));
    assertEquals("abcdefgh", MessageText.oneLine("abcdefgh", 8));
    String emoji = "\uD83C\uDF89".repeat(10); // 20 UTF-16 units
    for (int max = 1; max <= 21; max++) {
      String s = MessageText.oneLine(emoji, max);
      assertTrue(s.length() <= max, max + ": " + s.length());
      assertPrintable(s); // no half pair
    }
    String korean = "가".repeat(500);
    String s = MessageText.oneLine(korean, CertificatesOptions.MESSAGE_LENGTH_MAX);
    assertEquals(CertificatesOptions.MESSAGE_LENGTH_MAX, s.length());
    assertTrue(s.endsWith("\u2026"));
    assertThrows(IllegalArgumentException.class, () -> MessageText.oneLine("x", 0));
  }

  @Test
  void theApiRefusesControlsButNotLineBreaks() {
    assertFalse(MessageText.hasControlCharacters("Happy\r\nbirthday\tto you 생일"));
    for (String bad : List.of("a\u0000", "\u001b[2J", "x\u007f", "\u0085", "bell\u0007")) {
      assertTrue(MessageText.hasControlCharacters(bad), bad);
    }
  }

  @Test
  void theClaimSmsAlwaysFitsOneSmsWithTheWholeLink() {
    String link = "https://mileage.example/#/gifts/claim?t=AAAAAAAAAAAAAAAAAAAAAA";
    String sms = CertificateMessages.giftSms("김민수", "생일 축하해요!\r\n행복한 하루 보내세요", link);
    assertEquals("김민수 sent you a gift: \"생일 축하해요! 행복한 하루 보내세요\" " + link, sms);
    String worst = CertificateMessages.giftSms("N".repeat(100), "\uD83C\uDF89".repeat(100), link);
    assertTrue(worst.length() <= SipSmsSender.TEXT_LENGTH_MAX, worst);
    assertTrue(worst.endsWith(" " + link));
    assertTrue(worst.startsWith("N".repeat(19) + "\u2026 sent you a gift: \""), worst);
    assertPrintable(worst);
    String longLink = "https://" + "h".repeat(80) + ".example/#/gifts/claim?t=AAAAAAAAAAAAAAAAAAAAAA";
    String nameless = CertificateMessages.giftSms("N".repeat(100), "hello", longLink);
    assertTrue(nameless.length() <= SipSmsSender.TEXT_LENGTH_MAX, nameless);
    assertEquals("A gift for you: " + longLink, nameless);
  }
}
