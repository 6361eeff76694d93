package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.ConfigLoader;
import dev.mileage.gateway.GatewayConfig;
import dev.mileage.gateway.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The browser phone's settings: WS port (free with a free SIP port unless set), the WSS key store pair. */
class WebPhoneConfigTest {
  @TempDir
  Path dir;

  @Test
  void webSocketPortDefaultsAndFollowsAFreeSipPort() throws Exception {
    assertEquals(GatewayConfig.SIP_WS_PORT_DEFAULT, ConfigLoader.load(Map.of(), Map.of(), Optional.empty()).sipWsPort());
    assertEquals(0, ConfigLoader.load(Map.of(Setting.SIP_PORT, "0"), Map.of(), Optional.empty()).sipWsPort(),
        "any free SIP port: any free WebSocket port, so side-by-side gateways never collide");
    assertEquals(7443, ConfigLoader.load(Map.of(Setting.SIP_PORT, "0"), Map.of("MILEAGE_SIP_WS_PORT", "7443"),
        Optional.empty()).sipWsPort(), "an explicit port wins");
    assertEquals(0, WebRtcCalls.optionsOf(ConfigLoader.load(Map.of(Setting.SIP_PORT, "0"), Map.of(), Optional.empty()))
        .webSocketPort());
    var bad = assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(Map.of(Setting.SIP_WS_PORT, "70000"), Map.of(), Optional.empty()));
    assertTrue(bad.getMessage().contains("--sip-ws-port"));
  }

  @Test
  void aKeyStoreTurnsOnWssAndItsPasswordStaysSecret() throws Exception {
    Path ks = Files.writeString(dir.resolve("gw.p12"), "not checked here");
    GatewayConfig c = ConfigLoader.load(Map.of(Setting.SIP_TLS_KEY_STORE, ks.toString(),
        Setting.SIP_TLS_KEY_STORE_PASSWORD, "sekrit-store-pass"), Map.of(), Optional.empty());
    assertEquals(Optional.of(ks), c.sipTlsKeyStore());
    assertTrue(WebRtcCalls.optionsOf(c).secure());
    assertFalse(c.toString().contains("sekrit-store-pass"));
    assertFalse(WebRtcCalls.optionsOf(c).toString().contains("sekrit-store-pass"));
    assertTrue(Setting.SIP_TLS_KEY_STORE_PASSWORD.isSecret());
    var missing = assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(
        Map.of(Setting.SIP_TLS_KEY_STORE, dir.resolve("nope.p12").toString()), Map.of(), Optional.empty()));
    assertTrue(missing.getMessage().contains("--sip-tls-key-store"));
  }
}
