package dev.mileage.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatedRequest;

import java.util.Optional;

/**
 * Validates every {@code /api/v1} request that the OpenAPI document describes (parameters and body);
 * a mismatch answers 400 with the validator's reason before any handler runs, so nothing changes.
 * Requests to paths the document does not describe pass through (a feature that has not documented its
 * paths yet keeps working); the validated request is available to handlers through {@link #of}.
 */
public final class OpenApiValidation implements Handler<RoutingContext> {
  private static final String KEY = "openapi.validated";
  private static final RequestExtractor EXTRACTOR = RequestExtractor.withBodyHandler();

  private final OpenAPIContract contract;
  private final RequestValidator validator;

  OpenApiValidation(Vertx vertx, OpenAPIContract contract) {
    this.contract = contract;
    this.validator = RequestValidator.create(vertx, new ValidatorCachingContract(contract));
  }

  @Override
  public void handle(RoutingContext ctx) {
    Operation operation = contract.findOperation(ctx.normalizedPath(), ctx.request().method());
    if (operation == null) {
      ctx.next();
      return;
    }
    EXTRACTOR.extractValidatableRequest(ctx, operation)
        .compose(request -> validator.validate(request, operation.getOperationId()))
        .onComplete(result -> {
          if (result.succeeded()) {
            ctx.put(KEY, result.result());
            ctx.next();
          } else {
            Errors.badRequest(ctx, reason(result.cause()));
          }
        });
  }

  public static Optional<ValidatedRequest> of(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(KEY));
  }

  private static String reason(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.length() > 300 ? message.substring(0, 300) + "..." : message;
  }
}
