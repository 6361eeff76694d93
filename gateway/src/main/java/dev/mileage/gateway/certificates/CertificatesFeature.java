package dev.mileage.gateway.certificates;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.members.LedgerAccess;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.SipSmsSender;
import dev.mileage.gateway.members.SmsSender;
import dev.mileage.gateway.members.Web;
import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Electronic gift certificates: catalog, purchase (phone bill or card), issuance (code, PIN, barcodes,
 * value in the ledger), gifting by phone number with a claim link, and redemption at stores' POS or at
 * online checkout. Routes are in {@link CertificateRoutes}; the public ones (catalog, claim page data)
 * sit at the root under {@code /certificates/}.
 */
public final class CertificatesFeature implements Feature {
  private static final Logger LOG = Logger.getLogger(CertificatesFeature.class.getName());

  private final CertificatesOptions options;
  private final PaymentProvider payments;
  private final PasswordHasher pinHasher;
  private SmsSender sms;
  /** Whether this feature made the SMS sender (and so must close it). */
  private boolean ownsSms;
  private CertificateRoutes routes;
  private Stores stores;
  private BankTransferRoutes bankRoutes;
  private PurchaseService purchases;
  private ReturnRoutes returnRoutes;
  private ReturnDispatcher dispatcher;
  private BankProvider bank;
  /** The simulated bank provider, when no real one is configured (demo and embedded defaults). */
  private SandboxBank sandboxBank;

  /** The production wiring: SMS to the SMSC the members feature uses, the sandbox card provider. */
  public CertificatesFeature() {
    this(CertificatesOptions.defaults(), new SandboxPaymentProvider(), null,
        new PasswordHasher(CertificatesOptions.PIN_HASH_MEMORY_KIB, 1, 1));
  }

  /** @param sms null: a sender to {@code MembersOptions.defaults().smscUri()} is made at start */
  public CertificatesFeature(CertificatesOptions options, PaymentProvider payments, SmsSender sms, PasswordHasher pinHasher) {
    this.options = options;
    this.payments = payments;
    this.sms = sms;
    this.pinHasher = pinHasher;
  }

  @Override
  public String name() {
    return "certificates";
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  @Override
  public void start(GatewayContext ctx) {
    if (sms == null) {
      sms = defaultSender(ctx);
      ownsSms = true;
    }
    LedgerAccess access = new LedgerAccess(ctx.ledger(), ctx.vertx());
    CertificateLedger ledger = new CertificateLedger(access, ctx.clock(), options.phoneBillMonthlyLimitWon());
    MemberDirectory members = new MemberDirectory(ctx.pool());
    Catalog catalog = new Catalog(ctx.pool());
    stores = new Stores(ctx.pool(), ctx.clock(), GuessLimiter.persistent("certificates.store_key",
        options.failuresPerSourceMax(), options.guessWindow(), CertificatesOptions.LIMITER_KEYS_MAX, ctx.clock(), ctx.pool()));
    purchases = new PurchaseService(ctx.vertx(), ctx.pool(), ctx.clock(), catalog, ledger, payments, sms, members, pinHasher,
        options.bankTransferWindow());
    DepositReturns returns = new DepositReturns(ctx.pool(), ctx.clock(), ctx.metrics());
    bank = bankProvider(ctx);
    if (ctx.config().production() && options.publicBaseUrl().isEmpty()) {
      // without it a claim link is built from the giver's Host header: anyone could have our MMS point to their site
      throw new IllegalStateException("--production needs " + CertificatesOptions.PUBLIC_BASE_URL_ENV
          + " (e.g. https://mileage.example): gift-claim links must not be built from the request's Host header");
    }
    dispatcher = new ReturnDispatcher(ctx.pool(), ctx.clock(), bank, options.bankTimeout(), ctx.metrics());
    WebhookGuard webhooks = new WebhookGuard(GuessLimiter.persistent("certificates.webhook_source",
        options.webhookBadSignaturesPerSourceMax(), options.webhookBadSignatureWindow(), CertificatesOptions.LIMITER_KEYS_MAX,
        ctx.clock(), ctx.pool()), options.webhookBadSignaturesPerSourceMax(), ctx.metrics());
    returnRoutes = new ReturnRoutes(dispatcher, returns, webhooks);
    bankRoutes = new BankTransferRoutes(purchases, new BankTransfers(ctx.pool(), ctx.clock(), catalog, purchases, payments, returns,
        dispatcher::kick), returns, webhooks);
    // PIN hashes per member and per store: in memory, since they bound CPU, not guessing
    GuessLimiter memberHashes = new GuessLimiter(options.pinHashesPerMemberMax(), options.pinHashWindow(),
        CertificatesOptions.LIMITER_KEYS_MAX, ctx.clock());
    GuessLimiter storeHashes = new GuessLimiter(options.pinHashesPerStoreMax(), options.pinHashWindow(),
        CertificatesOptions.LIMITER_KEYS_MAX, ctx.clock());
    routes = new CertificateRoutes(options, catalog, stores, purchases,
        new GiftService(ctx.vertx(), ctx.pool(), ctx.clock(), sms, members, pinHasher, memberHashes),
        new RedemptionService(ctx.vertx(), ctx.pool(), ctx.clock(), ledger, pinHasher, options),
        new Holdings(ctx.vertx(), ctx.pool(), ledger, pinHasher), memberHashes, storeHashes);
  }

  /**
   * The configured bank provider, or else (never in production) the simulated one on loopback with a fresh random
   * secret, posting its settlement notices to this gateway's configured HTTP port.
   */
  private BankProvider bankProvider(GatewayContext ctx) {
    if (!options.bankUrl().isEmpty()) return new BankProvider(ctx.vertx(), options.bankUrl(), options.bankSecret(), options.bankTimeout());
    if (ctx.config().production()) {
      throw new IllegalStateException("--production needs " + CertificatesOptions.BANK_URL_ENV + " and "
          + CertificatesOptions.BANK_SECRET_ENV + ": the simulated bank provider sends no real money back");
    }
    String secret = SandboxBank.newSecret();
    try {
      sandboxBank = SandboxBank.start(ctx.vertx(), secret).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the simulated bank provider", e);
    }
    LOG.info("deposit returns go to the simulated bank provider on " + sandboxBank.url());
    return new BankProvider(ctx.vertx(), sandboxBank.url(), secret, options.bankTimeout());
  }

  /** The simulated provider posts its settlement notices to this gateway's port, known once HTTP listens (0: any). */
  @Override
  public void listening(GatewayContext ctx, int httpPort) {
    if (sandboxBank == null) return;
    String host = ctx.config().localAddress();
    String self = host.contains(":") ? "[" + host + "]" : host;
    sandboxBank.notifyTo("http://" + self + ":" + httpPort + RETURN_NOTICE_PATH);
  }

  /** Where the bank provider posts its settlement notices of deposit returns. */
  public static final String RETURN_NOTICE_PATH = "/certificates/bank-transfers/returns";

  /** Asks the provider about SENT returns whose notice is late (tests; the verticle does it every few seconds). */
  Future<Integer> reconcileReturns() {
    return dispatcher.reconcile();
  }

  /** Sends the due deposit returns now (tests; the verticle does it every few seconds). */
  Future<Integer> dispatchReturns() {
    return dispatcher.dispatchDue();
  }

  /** The same SMSC as the members feature: MILEAGE_SMSC_URI, else {@code sip:smsc@<trunk host:port>}. */
  private static SmsSender defaultSender(GatewayContext ctx) {
    String uri = MembersOptions.defaults().smscUri();
    if (uri.isEmpty()) {
      String trunk = ctx.config().trunkUri();
      int at = trunk.indexOf('@');
      if (trunk.startsWith("sip:") && at > 0) uri = "sip:smsc@" + trunk.substring(at + 1).split(";", 2)[0];
    }
    if (uri.isEmpty()) {
      LOG.warning("no SMSC configured (MILEAGE_SMSC_URI): certificate SMS are not sent");
      return (to, text) -> Future.succeededFuture(SmsSender.Result.UNREACHABLE);
    }
    try {
      return new SipSmsSender(uri, ctx.config().localAddress());
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the certificate SMS sender", e);
    }
  }

  @Override
  public List<io.vertx.core.Deployable> verticles(GatewayContext ctx) {
    // expires unpaid bank-transfer orders; owns the SMS sender's SIP stack if it made it, so stopping the
    // gateway releases its port and threads
    return List.of(new io.vertx.core.VerticleBase() {
      private long sweeper;
      private long returnsTimer;

      @Override
      public Future<?> start() {
        sweeper = vertx.setPeriodic(CertificatesOptions.EXPIRY_SWEEP_INTERVAL.toMillis(), t -> purchases.expireDue(null)
            .onFailure(e -> LOG.warning("bank-transfer expiry sweep failed: " + e.getClass().getSimpleName())));
        returnsTimer = vertx.setPeriodic(CertificatesOptions.RETURN_DISPATCH_INTERVAL.toMillis(), t -> dispatcher.tick());
        return Future.succeededFuture();
      }

      @Override
      public Future<?> stop() {
        vertx.cancelTimer(sweeper);
        vertx.cancelTimer(returnsTimer);
        bank.close();
        if (sandboxBank != null) sandboxBank.close();
        if (ownsSms) sms.close();
        return Future.succeededFuture();
      }
    });
  }

  @Override
  public List<Authenticator> authenticators(GatewayContext ctx) {
    return List.of(stores);
  }

  @Override
  public void mountRoot(Router root, GatewayContext ctx) {
    root.get("/certificates/catalog").handler(Web.handle(routes::catalog));
    root.get("/certificates/contents").handler(Web.handle(routes::contents));
    root.get("/certificates/claims/:token").handler(Web.handle(routes::claimInfo));
    root.post("/certificates/claims/:token/reject").handler(Web.handle(routes::reject));
    root.post("/certificates/bank-transfers/deposits").handler(Web.handle(bankRoutes::notice));
    root.post(RETURN_NOTICE_PATH).handler(Web.handle(returnRoutes::settlement));
  }

  @Override
  public void mountApi(Router api, GatewayContext ctx) {
    api.post("/certificates/purchases").handler(Web.handle(routes::buy));
    api.get("/certificates/purchases").handler(Web.handle(bankRoutes::history));
    api.get("/certificates/purchases/:id").handler(Web.handle(bankRoutes::one));
    api.post("/certificates/purchases/:id/sandbox-deposit").handler(Web.handle(bankRoutes::simulate));
    api.get("/certificates/mine").handler(Web.handle(routes::mine));
    api.get("/certificates/mine/:id").handler(Web.handle(routes::one));
    api.get("/certificates/mine/:id/barcode").handler(Web.handle(routes::barcode));
    api.post("/certificates/mine/:id/pin").handler(Web.handle(routes::newPin));
    api.post("/certificates/mine/:id/redeem").handler(Web.handle(routes::redeemOnline));
    api.get("/certificates/usage").handler(Web.handle(routes::usage));
    api.post("/certificates/gifts").handler(Web.handle(routes::gift));
    api.get("/certificates/gifts").handler(Web.handle(routes::gifts));
    api.post("/certificates/gifts/:id/resend").handler(Web.handle(routes::resendGift));
    api.post("/certificates/claims/:token/accept").handler(Web.handle(routes::accept));
    api.post("/certificates/pos/redemptions").handler(Web.handle(routes::redeemAtPos));
    api.route("/certificates/admin/*").handler(Access.role(Access.ROLE_OPERATOR));
    api.get("/certificates/admin/items").handler(Web.handle(routes::adminItems));
    api.post("/certificates/admin/items").handler(Web.handle(routes::addItem));
    api.patch("/certificates/admin/items/:id").handler(Web.handle(routes::setItemActive));
    api.get("/certificates/admin/stores").handler(Web.handle(routes::adminStores));
    api.post("/certificates/admin/stores").handler(Web.handle(routes::addStore));
    api.patch("/certificates/admin/stores/:id").handler(Web.handle(routes::setStoreActive));
    api.get("/certificates/admin/deposit-returns").handler(Web.handle(bankRoutes::listReturns));
    api.post("/certificates/admin/deposit-returns/:id/confirm").handler(Web.handle(bankRoutes::confirmReturn));
    api.post("/certificates/admin/deposit-returns/:id/retry").handler(Web.handle(returnRoutes::retry));
  }

  /** The caller as a member id, or null after answering (401 with a sign-up hint, 403 for other callers). */
  static Long member(io.vertx.ext.web.RoutingContext ctx) {
    Caller c = Caller.of(ctx).orElse(null);
    if (c == null || c.kind() != Caller.Kind.MEMBER) {
      Web.error(ctx, c == null ? 401 : 403, c == null ? "unauthorized" : "members_only",
          "gift certificates are for members: sign up or sign in first");
      return null;
    }
    return Long.parseLong(c.id());
  }
}
