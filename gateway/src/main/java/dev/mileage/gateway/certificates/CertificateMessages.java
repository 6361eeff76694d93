package dev.mileage.gateway.certificates;

final class CertificateMessages {
  static final int PNG_BYTES_MAX = 2_048;
}
