package dev.mileage.gateway.http;

/**
 * Credentials were presented and refused. The message is what the caller reads: it never says whether
 * the user exists. {@code status} is 401, 429 while the user or the source is locked out, or 503 when
 * the credentials could not be checked (the operator table is unreachable).
 */
public final class AuthenticationException extends RuntimeException {
  private final int status;

  public AuthenticationException(int status, String reason) {
    super(reason, null, false, false);
    if (status != 401 && status != 429 && status != 503) {
      throw new IllegalArgumentException("status must be 401, 429 or 503");
    }
    this.status = status;
  }

  /** The machine-readable error code of the answer. */
  public String error() {
    return switch (status) {
      case 429 -> "too_many_attempts";
      case 503 -> "unavailable";
      default -> "unauthorized";
    };
  }

  public int status() {
    return status;
  }
}
