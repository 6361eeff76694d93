package dev.mileage.gateway.streams;

import dev.mileage.gateway.http.Errors;
import dev.mileage.points.metering.ContentKind;
import dev.mileage.points.metering.Tariff;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;
import java.util.function.Function;

/**
 * Operators manage the catalog: create an item (kind, title, content type), upload its media (checked
 * against the kind's types, the file's signature and the size limit), edit it, retire it.
 */
final class ItemAdmin {
  private final Catalog catalog;
  private final MediaStore media;
  /** An item as answered: with the price it is sold at now (its own or its kind's). */
  private final Function<Item, JsonObject> view;

  ItemAdmin(Catalog catalog, MediaStore media, Function<Item, JsonObject> view) {
    this.catalog = catalog;
    this.media = media;
    this.view = view;
  }

  void create(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    if (body == null) throw new IllegalArgumentException("a JSON body is required");
    ContentKind kind = StreamsRoutes.kind(body.getString("kind", ""));
    String title = text(body, "title", Item.TITLE_LENGTH_MAX, true);
    String description = text(body, "description", Item.DESCRIPTION_LENGTH_MAX, false);
    String contentType = body.getString("contentType", "");
    if (!MediaCheck.allowed(kind, contentType)) {
      Errors.send(ctx, 415, "unsupported_type", contentType + " is not accepted for " + kind + ": use one of "
          + MediaCheck.TYPES.get(kind));
      return;
    }
    Integer duration = body.getInteger("durationSeconds");
    if (duration != null && (duration < 1 || duration > 24 * 3600)) throw new IllegalArgumentException("durationSeconds 1..86400");
    catalog.create(kind, title, description, contentType, duration).onFailure(ctx::fail)
        .onSuccess(item -> StreamsRoutes.json(ctx, 201, view.apply(item)));
  }

  void update(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    if (body == null) throw new IllegalArgumentException("a JSON body is required");
    long id = StreamsRoutes.id(ctx);
    String title = body.containsKey("title") ? text(body, "title", Item.TITLE_LENGTH_MAX, true) : null;
    String description = body.containsKey("description") ? text(body, "description", Item.DESCRIPTION_LENGTH_MAX, false) : null;
    Item.Status status = null;
    if (body.containsKey("status")) {
      String s = body.getString("status", "");
      if (!s.equals("READY") && !s.equals("RETIRED")) throw new IllegalArgumentException("status must be READY or RETIRED");
      status = Item.Status.valueOf(s);
    }
    Item.Status wanted = status;
    catalog.get(id).compose(found -> {
      if (found.isEmpty()) return io.vertx.core.Future.succeededFuture((Object) "missing");
      if (wanted == Item.Status.READY && found.get().fileName() == null) return io.vertx.core.Future.succeededFuture((Object) "no media");
      return catalog.update(id, title, description, wanted).map(o -> (Object) o.orElseThrow());
    }).onFailure(ctx::fail).onSuccess(result -> {
      if ("missing".equals(result)) Errors.notFound(ctx, "no such item");
      else if ("no media".equals(result)) Errors.send(ctx, 409, "no_media", "upload the media before publishing the item");
      else StreamsRoutes.json(ctx, 200, view.apply((Item) result));
    });
  }

  /**
   * Sets or changes the item's own price: {@code {"pointsPerMinute": n}}, the unit and bounds of a kind's
   * tariff (0 is a free item; the kind's minimum charge still applies). Streams already running keep the
   * price they started with.
   */
  void setPrice(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    if (body == null) throw new IllegalArgumentException("a JSON body is required: {\"pointsPerMinute\": n}");
    Object value = body.getValue("pointsPerMinute");
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new IllegalArgumentException("pointsPerMinute must be a whole number of points per minute");
    }
    long price = ((Number) value).longValue();
    if (price < 0 || price > Tariff.POINTS_PER_MINUTE_MAX) {
      throw new IllegalArgumentException("pointsPerMinute must be 0.." + Tariff.POINTS_PER_MINUTE_MAX + " points per minute");
    }
    priced(ctx, catalog.price(StreamsRoutes.id(ctx), price));
  }

  /** Clears the item's own price: it is rated by its kind's tariff again (from the next session on). */
  void clearPrice(RoutingContext ctx) {
    priced(ctx, catalog.price(StreamsRoutes.id(ctx), null));
  }

  private void priced(RoutingContext ctx, io.vertx.core.Future<Optional<Item>> change) {
    change.onFailure(ctx::fail).onSuccess(item -> {
      if (item.isEmpty()) Errors.notFound(ctx, "no such item");
      else StreamsRoutes.json(ctx, 200, view.apply(item.get()));
    });
  }

  /** The body is the file itself ({@code application/octet-stream}); its real type must be the item's. */
  void upload(RoutingContext ctx) {
    long id = StreamsRoutes.id(ctx);
    Buffer body = ctx.body().buffer();
    byte[] data = body == null ? new byte[0] : body.getBytes();
    catalog.get(id).onFailure(ctx::fail).onSuccess(found -> {
      if (found.isEmpty()) {
        Errors.notFound(ctx, "no such item");
        return;
      }
      Item item = found.get();
      MediaCheck.Checked checked = MediaCheck.check(item.kind(), item.contentType(), data);
      if (!checked.ok()) {
        int status = checked.problem().startsWith("the file exceeds") ? 413 : 415;
        Errors.send(ctx, status, status == 413 ? "too_large" : "wrong_content", checked.problem());
        return;
      }
      Integer duration = checked.durationSeconds() != null ? checked.durationSeconds() : item.durationSeconds();
      if (item.timed() && duration == null) {
        Errors.badRequest(ctx, "give the item's durationSeconds: this file does not carry its playing time");
        return;
      }
      ctx.vertx().executeBlocking(() -> media.save("item-" + item.id(), MediaStore.extension(item.contentType()), data), false)
          .compose(stored -> catalog.attachMedia(item.id(), stored.fileName(), stored.sha256(), data.length,
              checked.headerBytes(), checked.durationSeconds()))
          .onFailure(ctx::fail)
          .onSuccess(updated -> StreamsRoutes.json(ctx, 200, view.apply(updated.orElseThrow())));
    });
  }

  private static String text(JsonObject body, String field, int max, boolean required) {
    Object value = body.getValue(field);
    if (value == null && !required) return "";
    if (!(value instanceof String s) || (required && s.isBlank()) || s.length() > max) {
      throw new IllegalArgumentException(field + (required ? " is required, " : " must be ") + "text of at most " + max + " characters");
    }
    return s.strip();
  }
}
