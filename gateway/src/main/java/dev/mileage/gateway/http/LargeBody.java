package dev.mileage.gateway.http;

import io.vertx.core.http.HttpMethod;

import java.util.Objects;

/**
 * A route whose request body may exceed {@link HttpApi#BODY_BYTES_MAX} (media uploads): the caller is
 * authenticated and must hold {@code role} BEFORE any of the body is read, so nobody else can make the
 * gateway buffer a large body.
 *
 * @param path relative to {@code /api/v1}, in Vert.x form ({@code /streams/items/:id/media})
 */
public record LargeBody(HttpMethod method, String path, long bytesMax, String role) {
  public LargeBody {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(role, "role");
    if (bytesMax <= HttpApi.BODY_BYTES_MAX) throw new IllegalArgumentException("not larger than the default limit");
  }
}
