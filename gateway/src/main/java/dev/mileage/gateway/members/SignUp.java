package dev.mileage.gateway.members;

import io.vertx.core.json.JsonObject;

import java.util.Locale;

/** A sign-up request, checked: what a shop needs to deliver and to reach the member. */
public record SignUp(String loginId, String password, String name, String phone, String address, String occupation) {
  public static final int NAME_LENGTH_MAX = 100;
  public static final int ADDRESS_LENGTH_MAX = 300;

  public SignUp {
    loginId = normalizeLogin(loginId);
    requirePassword(password);
    if (name == null || name.isBlank() || name.length() > NAME_LENGTH_MAX) throw new IllegalArgumentException("name is required (at most 100 characters)");
    requirePhone(phone);
    if (address == null || address.isBlank() || address.length() > ADDRESS_LENGTH_MAX) throw new IllegalArgumentException("address is required (at most 300 characters)");
    if (occupation != null && occupation.length() > NAME_LENGTH_MAX) throw new IllegalArgumentException("occupation is too long");
  }

  /** Login ids are 3..32 of a-z, 0-9, dot, dash, underscore; case does not matter. */
  public static String normalizeLogin(String loginId) {
    if (loginId == null) throw new IllegalArgumentException("loginId is required");
    String l = loginId.strip().toLowerCase(Locale.ROOT);
    if (!l.matches("[a-z0-9][a-z0-9._-]{2,31}")) {
      throw new IllegalArgumentException("loginId must be 3 to 32 letters, digits, '.', '-' or '_'");
    }
    return l;
  }

  /** Phone numbers are E.164: '+', a country code and the national number, 8 to 16 characters. */
  public static void requirePhone(String phone) {
    if (phone == null || !phone.matches("\\+[1-9][0-9]{6,14}")) {
      throw new IllegalArgumentException("phone must be in E.164 form, e.g. +821012345678");
    }
  }

  public static void requirePassword(String password) {
    if (password == null || password.length() < PasswordHasher.PASSWORD_LENGTH_MIN
        || password.length() > PasswordHasher.PASSWORD_LENGTH_MAX) {
      throw new IllegalArgumentException("password must be " + PasswordHasher.PASSWORD_LENGTH_MIN + " to "
          + PasswordHasher.PASSWORD_LENGTH_MAX + " characters");
    }
  }

  public static SignUp from(JsonObject b) {
    return new SignUp(Web.requireText(b, "loginId", 64), b.getValue("password") instanceof String p ? p : null,
        Web.requireText(b, "name", NAME_LENGTH_MAX), Web.requireText(b, "phone", 16),
        Web.requireText(b, "address", ADDRESS_LENGTH_MAX), Web.optionalText(b, "occupation", NAME_LENGTH_MAX));
  }

  @Override
  public String toString() {
    return "SignUp[personal data withheld]";
  }
}
