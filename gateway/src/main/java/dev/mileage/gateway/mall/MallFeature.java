package dev.mileage.gateway.mall;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.members.Web;
import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The token mall (issue 9): vendors approved by the operator, each with its own token (a ledger point type),
 * tokens issued to vendors for money and allotted or sold to users, spent and exchanged across vendors with
 * royalties, reimbursements, tolls and service charges, auctions payable in tokens, and reports. Members use
 * their session; vendors and their POS terminals the vendor key ({@code X-Vendor-Key}); operators HTTP Basic.
 * The route table is {@link #mountApi}; the rules are in Issuance, Spending, Settlements (and its schedule,
 * AutoSettlement), ProductLists (a manufacturer's editable product list), Auctions, Reports.
 */
public final class MallFeature implements Feature {
  private static final Logger LOG = Logger.getLogger(MallFeature.class.getName());

  private final MallOptions options;
  private final PaymentProvider payments;
  private final boolean seedDemo;
  private Vendors vendors;
  private MallRoutes routes;
  private VendorRoutes vendorRoutes;
  private Auctions auctions;
  private MallDemo demo;
  private AutoSettlement autoSettlement;
  private ProductLists productLists;
  private ProductListRoutes productListRoutes;
  private NotificationRoutes notificationRoutes;
  private final java.util.concurrent.atomic.AtomicBoolean sweeping = new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicBoolean settling = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * The production wiring: the settlement schedule from the environment ({@link MallOptions#fromEnvironment}), the
   * sandbox card provider, demo data when the gateway runs in demo mode.
   */
  public MallFeature() {
    this(MallOptions.fromEnvironment(System.getenv()), new SandboxPaymentProvider(), true);
  }

  /** @param seedDemo seed the demo vendors when the gateway runs in demo mode (tests that count figures say no) */
  public MallFeature(MallOptions options, PaymentProvider payments, boolean seedDemo) {
    this.options = options;
    this.payments = payments;
    this.seedDemo = seedDemo;
  }

  @Override
  public String name() {
    return "mall";
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  @Override
  public void start(GatewayContext ctx) {
    MallLedger ledger = new MallLedger(ctx.ledger(), ctx.vertx());
    Journal journal = new Journal(ctx.pool(), ctx.clock());
    vendors = new Vendors(ctx.pool(), ctx.clock(), ledger, GuessLimiter.persistent("mall.vendor_key",
        MallOptions.KEY_FAILURES_PER_SOURCE_MAX, MallOptions.KEY_FAILURE_WINDOW, MallOptions.LIMITER_KEYS_MAX, ctx.clock(), ctx.pool()));
    auctions = new Auctions(journal, ledger, ctx.clock());
    Spending spending = new Spending(journal, ledger, vendors, options);
    Issuance issuance = new Issuance(journal, ledger, payments, vendors);
    demo = seedDemo && ctx.config().demo() && !ctx.config().production() ? new MallDemo(ctx.pool(), vendors, issuance, auctions) : null;
    PayCodes payCodes = new PayCodes(journal, spending, vendors, GuessLimiter.persistent("mall.pay_code",
        MallOptions.KEY_FAILURES_PER_SOURCE_MAX, MallOptions.KEY_FAILURE_WINDOW, MallOptions.LIMITER_KEYS_MAX, ctx.clock(), ctx.pool()));
    routes = new MallRoutes(ledger, vendors, journal, issuance, spending, auctions, payCodes);
    Settlements settlements = new Settlements(journal, ledger, vendors, options);
    autoSettlement = new AutoSettlement(journal, ledger, settlements);
    productLists = new ProductLists(journal, ledger);
    productListRoutes = new ProductListRoutes(vendors, productLists);
    notificationRoutes = new NotificationRoutes(vendors, journal);
    vendorRoutes = new VendorRoutes(vendors, journal, issuance, settlements, auctions,
        new Reports(journal, ledger, vendors), payCodes);
  }

  @Override
  public List<Authenticator> authenticators(GatewayContext ctx) {
    return List.of(vendors);
  }

  @Override
  public void mountApi(Router api, GatewayContext ctx) {
    // anyone signed in (members, vendors, operators): the directory, shops, acceptance listing, auctions
    api.get("/mall/vendors").handler(Web.handle(routes::directory));
    api.get("/mall/vendors/:id").handler(Web.handle(routes::shop));
    api.get("/mall/vendors/:id/tokens").handler(Web.handle(vendorRoutes::vendorTokens));
    api.get("/mall/acceptances").handler(Web.handle(routes::acceptances));
    api.get("/mall/auctions").handler(Web.handle(routes::auctions));
    api.get("/mall/auctions/:id").handler(Web.handle(routes::auction));
    api.post("/mall/vendor-applications").handler(Web.handle(vendorRoutes::apply));
    // a manufacturer's product list: that vendor itself or an operator
    api.get("/mall/vendors/:id/allowed-products").handler(Web.handle(productListRoutes::list));
    api.post("/mall/vendors/:id/allowed-product-changes").handler(Web.handle(productListRoutes::change));
    // members
    api.post("/mall/vendors/:id/registrations").handler(Web.handle(routes::register));
    api.post("/mall/vendors/:id/token-purchases").handler(Web.handle(routes::buyTokens));
    api.post("/mall/vendors/:id/purchases").handler(Web.handle(routes::spend));
    api.get("/mall/wallet").handler(Web.handle(routes::wallet));
    api.get("/mall/history").handler(Web.handle(routes::history));
    api.get("/mall/exchange-quote").handler(Web.handle(routes::quote));
    api.post("/mall/exchanges").handler(Web.handle(routes::exchange));
    api.post("/mall/auctions/:id/bids").handler(Web.handle(routes::bid));
    api.post("/mall/pay-codes").handler(Web.handle(routes::payCode));
    // vendors and their POS terminals (X-Vendor-Key)
    api.get("/mall/vendor/me").handler(Web.handle(vendorRoutes::vendorMe));
    api.post("/mall/pos/sales").handler(Web.handle(vendorRoutes::posSale));
    api.put("/mall/vendor/products/:sku").handler(Web.handle(vendorRoutes::putProduct));
    api.put("/mall/vendor/acceptances/:tokenVendorId").handler(Web.handle(vendorRoutes::setAcceptance));
    api.post("/mall/vendor/token-purchases").handler(Web.handle(vendorRoutes::issue));
    api.post("/mall/vendor/allotments").handler(Web.handle(vendorRoutes::allot));
    api.get("/mall/vendor/customers").handler(Web.handle(vendorRoutes::customers));
    api.post("/mall/vendor/customer-info").handler(Web.handle(vendorRoutes::customerInfo));
    api.post("/mall/vendor/reimbursements/pay").handler(Web.handle(vendorRoutes::payOwed));
    api.post("/mall/vendor/auctions").handler(Web.handle(vendorRoutes::openAuction));
    api.post("/mall/vendor/auctions/:id/close").handler(Web.handle(vendorRoutes::closeAuction));
    api.get("/mall/vendor/report").handler(Web.handle(vendorRoutes::vendorReport));
    api.get("/mall/vendor/notifications").handler(Web.handle(notificationRoutes::list));
    api.post("/mall/vendor/notifications/read").handler(Web.handle(notificationRoutes::markRead));
    // the operator
    api.route("/mall/admin/*").handler(Access.role(Access.ROLE_OPERATOR));
    api.get("/mall/admin/vendors").handler(Web.handle(vendorRoutes::adminVendors));
    api.post("/mall/admin/vendors/:id/approve").handler(Web.handle(vendorRoutes::approve));
    api.put("/mall/admin/vendors/:id/rate").handler(Web.handle(vendorRoutes::setRate));
    api.post("/mall/admin/vendors/:id/tokens").handler(Web.handle(vendorRoutes::addToken));
    api.post("/mall/admin/vendors/:id/reimbursements/pay").handler(Web.handle(vendorRoutes::adminPayOwed));
    api.get("/mall/admin/report").handler(Web.handle(vendorRoutes::operatorReport));
    api.get("/mall/admin/notifications").handler(Web.handle(vendorRoutes::notifications));
    api.post("/mall/admin/settlement-runs").handler(Web.handle(rc -> RoutesBase.then(rc, periodicRun(), r -> Web.json(rc, 200, r))));
  }

  /** The settlement schedule's run, then product lists whose ledger step failed are given to the ledger again. */
  private Future<io.vertx.core.json.JsonObject> periodicRun() {
    return autoSettlement.run().compose(r -> productLists.repair(vendors).map(n -> r.put("productListsRepaired", n)));
  }

  @Override
  public List<Deployable> verticles(GatewayContext ctx) {
    VerticleBase sweeper = new VerticleBase() {
      @Override
      public Future<?> start() {
        // auctions close on the injected clock; the timer only decides how often the clock is looked at
        vertx.setPeriodic(options.auctionSweepInterval().toMillis(), t -> {
          if (!sweeping.compareAndSet(false, true)) return; // the previous sweep is still running
          auctions.sweep().onComplete(r -> {
            sweeping.set(false);
            if (r.failed()) LOG.log(Level.WARNING, "auction sweep failed", r.cause());
          });
        });
        // reimbursements due on the injected clock are paid; product lists whose ledger step failed are re-applied
        vertx.setPeriodic(options.settlementInterval().toMillis(), t -> {
          if (!settling.compareAndSet(false, true)) return; // the previous run is still going
          periodicRun().onComplete(r -> {
            settling.set(false);
            if (r.failed()) LOG.log(Level.WARNING, "settlement run failed", r.cause());
          });
        });
        return Future.succeededFuture();
      }
    };
    return demo == null ? List.of(sweeper) : List.of(sweeper, demo);
  }
}
