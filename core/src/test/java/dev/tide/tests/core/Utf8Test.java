package dev.tide.tests.core;

import dev.tide.core.InvalidChangeException;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.impl.Utf8;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sync messages are strict UTF-8: the validator agrees with the JDK's strict decoder, and readers refuse the rest as bad JSON. */
class Utf8Test {

  private static boolean jdkAccepts(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void agreesWithTheStrictJdkDecoder() {
    Random random = new Random(5);
    byte[] lead = {(byte) 0xC0, (byte) 0xC1, (byte) 0xC2, (byte) 0xDF, (byte) 0xE0, (byte) 0xED, (byte) 0xEF, (byte) 0xF0,
      (byte) 0xF4, (byte) 0xF5, (byte) 0xFF, (byte) 0x80, (byte) 0x9F, (byte) 0xA0, (byte) 0xBF, 'a'};
    int invalid = 0;
    for (int n = 0; n < 200_000; n++) {
      byte[] bytes = new byte[random.nextInt(24)];
      for (int i = 0; i < bytes.length; i++) { // mostly bytes near the boundaries, some ASCII runs (the 8-byte path)
        bytes[i] = random.nextInt(4) == 0 ? (byte) 'x' : random.nextBoolean() ? lead[random.nextInt(lead.length)] : (byte) random.nextInt(256);
      }
      boolean jdk = jdkAccepts(bytes);
      assertEquals(jdk, Utf8.firstInvalid(bytes, 0, bytes.length) < 0, () -> java.util.HexFormat.of().formatHex(bytes));
      invalid += jdk ? 0 : 1;
    }
    assertTrue(invalid > 10_000 && invalid < 190_000, invalid + " invalid");
    byte[] text = "ascii, é, ✓, 𝄞".getBytes(StandardCharsets.UTF_8);
    assertEquals(-1, Utf8.firstInvalid(text, 0, text.length));
    assertEquals(4, Utf8.firstInvalid(new byte[]{'a', 'b', 'c', 'd', (byte) 0xC1, (byte) 0x81}, 0, 6));
    assertEquals("aé", Utf8.decode(Buffer.buffer("aé")));
    assertNull(Utf8.decode(Buffer.buffer(new byte[]{'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80})));
  }

  /** An overlong "A" (C1 81) reads as "A" to the parser and would be stored so: the whole message is refused instead. */
  @Test
  void messagesThatAreNotUtf8AreBadJson() {
    String head = "{\"protocol\":1,\"node_id\":\"u\",\"cursor\":null,\"ops\":[{\"collection\":\"n\",\"id\":\"";
    String tail = "\",\"stamp\":{\"counter\":1,\"node\":\"u\"},\"doc\":{\"v\":1}}]}";
    Buffer body = Buffer.buffer(head).appendBytes(new byte[]{(byte) 0xC1, (byte) 0x81}).appendString(tail);
    InvalidChangeException e = assertThrows(InvalidChangeException.class, () -> SyncRequest.fromBuffer(body));
    assertEquals("body", e.field());
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    assertEquals("A", SyncRequest.fromBuffer(Buffer.buffer(head + "A" + tail)).ops().get(0).id());
    Buffer response = Buffer.buffer("{\"cursor\":\"c\",\"changes\":[],\"more\":false,\"results\":[],\"x\":\"")
      .appendBytes(new byte[]{(byte) 0xFF}).appendString("\"}");
    assertEquals("body", assertThrows(InvalidChangeException.class, () -> SyncResponse.fromBuffer(response)).field());
  }
}
