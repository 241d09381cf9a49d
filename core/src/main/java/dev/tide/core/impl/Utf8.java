package dev.tide.core.impl;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF, no
 * truncated sequence. Sync messages are UTF-8, and the parser and {@code new String(bytes, UTF_8)} are
 * lenient in different ways (an overlong {@code C1 81} reads as {@code A}, a bad byte becomes U+FFFD),
 * so a message is checked before it is read: what is validated is then what is stored.
 * <p>
 * Allocates nothing and skips ASCII eight bytes at a time: about 1 ms for a 16 MB body.
 */
public final class Utf8 {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8() {
  }

  /** The offset of the first byte of {@code bytes[from, to)} that is not part of well-formed UTF-8, or -1 if all are. */
  public static int firstInvalid(byte[] bytes, int from, int to) {
    int i = from;
    while (i < to) {
      while (i + 8 <= to && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
        i += 8; // eight ASCII bytes
      }
      if (i >= to) {
        break;
      }
      int b = bytes[i];
      if (b >= 0) {
        i++;
        continue;
      }
      b &= 0xFF;
      int length = b < 0xC2 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b <= 0xF4 ? 4 : 0; // 80..C1 (continuation, overlong) and F5..FF never lead
      if (length == 0 || i + length > to) {
        return i;
      }
      int second = bytes[i + 1] & 0xFF;
      // the second byte's range is narrower after E0 (overlong), ED (surrogates), F0 (overlong) and F4 (> U+10FFFF)
      int low = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
      int high = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
      if (second < low || second > high) {
        return i;
      }
      for (int k = 2; k < length; k++) {
        if ((bytes[i + k] & 0xC0) != 0x80) {
          return i;
        }
      }
      i += length;
    }
    return -1;
  }

  /** The text of a buffer, or null if it is not well-formed UTF-8 (a heap buffer's bytes are read in place). */
  public static String decode(Buffer buffer) {
    ByteBuf buf = ((BufferInternal) buffer).getByteBuf();
    byte[] bytes;
    int from;
    if (buf.hasArray()) {
      bytes = buf.array();
      from = buf.arrayOffset() + buf.readerIndex();
    } else {
      bytes = buffer.getBytes();
      from = 0;
    }
    int length = buf.readableBytes();
    return firstInvalid(bytes, from, from + length) >= 0 ? null : new String(bytes, from, length, StandardCharsets.UTF_8);
  }
}
