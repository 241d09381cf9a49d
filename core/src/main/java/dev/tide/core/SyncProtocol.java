package dev.tide.core;

import dev.tide.core.impl.WireReader;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;

/**
 * Constants and parsing shared by clients and servers of the sync protocol (PROTOCOL.md).
 * Bodies are parsed with explicit Jackson limits ({@link WireReader#FACTORY}), so hostile input fails
 * fast with a clear error instead of exhausting the stack or the heap; an object that repeats a name is
 * malformed.
 */
public final class SyncProtocol {

  /** The protocol version this library speaks. */
  public static final int VERSION = 1;
  /** Server default of the {@code limit} of changes per response. */
  public static final int DEFAULT_LIMIT = 1_000;
  /** Largest {@code limit} a server honours (larger values are clamped). */
  public static final int MAX_LIMIT = 10_000;
  /** Most ops in one request. */
  public static final int MAX_OPS = 10_000;
  /** Largest request body, in bytes. */
  public static final int MAX_REQUEST_BYTES = 16 << 20;
  /** A response stops adding changes past this many bytes (it always holds at least one). */
  public static final int MAX_RESPONSE_BYTES = 8 << 20;
  /** The most a client takes in one message from a server (a response, or a WebSocket frame's message). */
  public static final int MAX_MESSAGE_BYTES = 32 << 20;
  /** Longest cursor string. */
  public static final int MAX_CURSOR_LENGTH = 256;
  /**
   * A server rejects an op ({@code clock_ahead}) whose stamp counter is more than this (2^30) above the
   * highest counter it had committed before the request (ops of one request never raise each other's
   * bound). A legitimate client's counter exceeds that by at most the number of
   * writes it made since it last synced; a corrupted or forged clock must not push stamps so high that
   * no other writer could beat them before 2^53.
   */
  public static final long MAX_CLOCK_AHEAD = 1L << 30;
  /**
   * The node of stamps a server gives to writes that resurrect a purged document (PROTOCOL.md,
   * "Tombstone retention"). Clients never use it (their node ids are random, 22 characters).
   */
  public static final String SERVER_NODE = "_server";
  /** Nesting allowed in a message: a document's 64 levels plus the envelope. */
  public static final int MAX_MESSAGE_DEPTH = ChangeCodec.MAX_DOC_DEPTH + 4;

  private SyncProtocol() {
  }

  /**
   * Parses a message body that must be one JSON object. Malformed JSON, other types, trailing data
   * or a limit exceeded throw {@link InvalidChangeException} with field {@code body}.
   */
  public static JsonObject parseObject(Buffer body) {
    Object value;
    try {
      // fromParser reads one value, rejects trailing tokens and closes the parser
      value = JacksonCodec.fromParser(WireReader.FACTORY.createParser(body.getBytes()), Object.class);
    } catch (DecodeException | IOException e) {
      throw WireReader.malformed(e);
    }
    if (!(value instanceof JsonObject json)) {
      throw new InvalidChangeException("body", "must be a JSON object");
    }
    return json;
  }

  /** A cursor field: null, or a string of 1-{@link #MAX_CURSOR_LENGTH} characters. */
  public static String checkCursor(Object value, String field) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isEmpty() || s.length() > MAX_CURSOR_LENGTH) {
      throw new InvalidChangeException(field, "must be null or a string of 1-" + MAX_CURSOR_LENGTH + " characters");
    }
    return s;
  }

  /**
   * A request with more than {@link #MAX_OPS} ops (a {@code 413}): the ops past the limit are not read into
   * memory, only checked for syntax (parsed, tiny ops take several times the bytes they arrive as).
   */
  public static final class TooManyOpsException extends InvalidChangeException {
    public TooManyOpsException() {
      super("ops", "at most " + MAX_OPS + " ops per request");
    }
  }

  /** The request's {@code protocol} is missing or not one this library speaks. */
  public static final class UnsupportedProtocolException extends InvalidChangeException {
    public UnsupportedProtocolException(Object version) {
      super("protocol", version instanceof Number || version == null
        ? "unsupported protocol version " + shown(version) + ", this server speaks " + VERSION
        : "must be the integer " + VERSION + ", got " + (version instanceof String ? "the string \"" + shown(version) + "\"" : shown(version)));
    }
  }

  /** A value quoted in an error, cut short: an error answers with a few words, not the client's input back. */
  public static String shown(Object value) {
    String s = String.valueOf(value);
    if (s.length() <= 64) {
      return s;
    }
    return s.substring(0, Character.isHighSurrogate(s.charAt(63)) ? 63 : 64) + "..."; // never half a pair
  }
}
