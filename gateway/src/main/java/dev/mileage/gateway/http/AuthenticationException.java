package dev.mileage.gateway.http;

/**
 * Credentials were presented and refused. The message is what the caller reads: it never says whether
 * the user exists. {@code status} is 401, or 429 while the user or the source is locked out.
 */
public final class AuthenticationException extends RuntimeException {
  private final int status;

  public AuthenticationException(int status, String reason) {
    super(reason, null, false, false);
    if (status != 401 && status != 429) throw new IllegalArgumentException("status must be 401 or 429");
    this.status = status;
  }

  public int status() {
    return status;
  }
}
