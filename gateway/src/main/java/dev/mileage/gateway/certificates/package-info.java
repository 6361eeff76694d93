/**
 * Electronic gift certificates (issue 10): bought, gifted to a phone number, redeemed at shops.
 *
 * <h2>Money</h2>
 * A certificate's value lives only in the ledger: one GIFT_CERTIFICATE account per certificate
 * ({@code gc:<purchase>:<sheet>}, never below zero), funded from the operator's issuance account when the
 * purchase is settled. Redemption moves value from that account to the store's ({@code store:<id>};
 * online checkout {@code store:online}). Phone-bill purchases draw on a monthly PHONE_BILL credit line of
 * the member ({@code member:<id>}, granted once a month) into {@code operator:phone-bill}; card purchases go
 * through {@link dev.mileage.gateway.shop.PaymentProvider}. Every transfer id comes from a business key
 * (purchase id and sheet, the store's transaction id), so retries never move value twice.
 *
 * <h2>Secrets</h2>
 * Codes: 20 Crockford base-32 symbols (100 bits, SecureRandom), stored with a SHA-256 lookup digest and
 * shown only to the holder. PINs: 6 digits, Argon2id-hashed, shown once (at issue, on a new PIN, on
 * accepting a gift). Claim tokens: 128 bits, only their SHA-256 stored. Store POS keys: 256 bits, only a
 * SHA-256 stored, shown once.
 *
 * <h2>Deposits that buy nothing</h2>
 * A bank-transfer deposit that cannot pay its order (late, wrong amount, already paid, no such order) moves
 * nothing in the ledger: it is recorded once per provider deposit id as owed back to its payer
 * ({@link dev.mileage.gateway.certificates.DepositReturns}) and sent back through the bank provider's return API
 * by {@link dev.mileage.gateway.certificates.ReturnDispatcher} (signed instructions idempotent by return id and
 * round, bounded retries, OWED -> SENT -> CONFIRMED by the provider's signed notice, or FAILED for an operator to
 * retry or, as a fallback, confirm by hand). Without a configured provider, SandboxBank simulates it on loopback.
 *
 * <h2>Guessing</h2>
 * An unknown code and a wrong PIN run the same Argon2 work and give the same answer; failures count per
 * code, per store, per source address and overall ({@link dev.mileage.gateway.members.GuessLimiter}
 * windows); any exhausted limit answers 429 until its window ends, even for the right PIN. The provider
 * webhooks count badly signed notices per source address the same way (WebhookGuard): past the limit a source
 * gets 429 before its signature is checked, even for a well-signed notice.
 *
 * <h2>Map</h2>
 * {@link dev.mileage.gateway.certificates.CertificatesFeature} wires everything; CertificateRoutes is the
 * HTTP edge (BankTransferRoutes for bank-transfer orders, deposit notices and deposit returns, ReturnRoutes for
 * the provider's return notices and operator retries); BankProvider speaks to the provider; PurchaseService,
 * BankTransfers, DepositReturns, ReturnDispatcher, GiftService, RedemptionService and Holdings hold the rules; Stores is also
 * the POS authenticator; Barcodes draws Code 128 and QR as SVG from ZXing's bit matrices (PNG for messages);
 * CertificateMessages sends the purchase and gift MMS (SMS fallback), MessageText makes user text safe for them.
 */
package dev.mileage.gateway.certificates;
