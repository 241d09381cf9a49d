package dev.tide.core.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.OpResult;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.List;

/**
 * Reads sync messages with a streaming parser, the counterpart of {@link WireJson}. Every field is
 * validated by the rules of {@link ChangeCodec}, {@link SyncRequest#fromJson} and
 * {@link SyncResponse#fromJson}, with the same errors in the same order, but no message is built as a
 * tree: each document is checked token by token and kept as the exact JSON text it arrived as, so it
 * is never parsed into objects and encoded again (the receiver stores and forwards that text). The
 * changes themselves are read by {@link WireChanges}.
 * <p>
 * Objects must not repeat a name: a duplicate is a syntax error, so the text kept has one meaning.
 * Readers of a whole value consume all of it before they throw an {@link InvalidChangeException}, so a
 * frame can read on and report the error where the protocol says.
 */
public final class WireReader {

  /** The limits of every sync message; a duplicate name is refused by the parser. */
  public static final JsonFactory FACTORY = JsonFactory.builder()
    .streamReadConstraints(StreamReadConstraints.builder()
      .maxNestingDepth(SyncProtocol.MAX_MESSAGE_DEPTH)
      .maxStringLength(ChangeCodec.MAX_DOC_BYTES + 1024)
      .maxNumberLength(ChangeCodec.MAX_NUMBER_CHARS)
      .maxNameLength(64 * 1024) // above ChangeCodec.MAX_KEY_BYTES: data from before that check still reads
      // the largest message of the protocol: a 16 MiB request inside a WebSocket frame's envelope is
      // longer than 16 MiB (bodies are held to their own, lower limits before they are parsed)
      .maxDocumentLength(SyncProtocol.MAX_MESSAGE_BYTES)
      .build())
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    .build();

  /**
   * A client's WebSocket frame: its envelope nests the request one level deeper than a body, so a request
   * gets the error it gets over HTTP (a document nested 65 deep: invalid_request on it, not invalid_json).
   */
  private static final JsonFactory CLIENT_FRAME_FACTORY = FACTORY.rebuild()
    .streamReadConstraints(StreamReadConstraints.builder()
      .maxNestingDepth(SyncProtocol.MAX_MESSAGE_DEPTH + 1)
      .maxStringLength(ChangeCodec.MAX_DOC_BYTES + 1024)
      .maxNumberLength(ChangeCodec.MAX_NUMBER_CHARS)
      .maxNameLength(64 * 1024)
      .maxDocumentLength(SyncProtocol.MAX_MESSAGE_BYTES)
      .build())
    .build();

  /** The error of a message that is not well-formed UTF-8 (field {@code body}). */
  public static final String NOT_UTF8 = "is not valid JSON: a sync message is UTF-8";

  private final WireChanges in;
  private final JsonParser p;

  private WireReader(byte[] bytes, String text, JsonFactory factory) throws IOException {
    this(bytes, bytes == null ? 0 : bytes.length, text, factory);
  }

  private WireReader(byte[] bytes, int length, String text, JsonFactory factory) throws IOException {
    this.in = new WireChanges(bytes, length, text, factory);
    this.p = in.p;
    in.requireUtf8();
  }

  /**
   * A frame of the WebSocket protocol: its streamed parts, the other fields as JSON.
   *
   * @param invalid      the first validation error of a streamed field, or null
   * @param invalidField which field it was in ({@code request}, {@code response} or {@code changes}), or null
   */
  public record Frame(JsonObject fields, SyncRequest request, SyncResponse response, List<Change> changes,
                      InvalidChangeException invalid, String invalidField) {
  }

  /** Reads a request body; throws {@link InvalidChangeException} (field {@code body} for bad JSON or bad UTF-8). */
  public static SyncRequest request(Buffer body) {
    return message(body, WireReader::readRequest);
  }

  /** Reads a response body; throws {@link InvalidChangeException} (field {@code body} for bad JSON or bad UTF-8). */
  public static SyncResponse response(Buffer body) {
    return message(body, WireReader::readResponse);
  }

  private interface Body<T> {
    T read(WireReader reader) throws IOException;
  }

  private static <T> T message(Buffer body, Body<T> read) {
    try {
      Bytes in = Bytes.of(body);
      WireReader r = new WireReader(in.array(), in.length(), null, FACTORY);
      r.expectObject();
      T message;
      try {
        message = read.read(r);
      } catch (InvalidChangeException e) {
        r.expectEnd(); // bad JSON after the object is reported first, as by a parser that reads it all
        throw e;
      }
      r.expectEnd();
      return message;
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  /**
   * A message's bytes, checked as strict UTF-8 (else an {@link InvalidChangeException} on field {@code body}:
   * a parser would read some bad bytes as other characters): its buffer's own array when the bytes start it
   * (a heap buffer), else a copy. A copy of a 16 MiB message, held beside its buffer and the documents read
   * out of it, ran small heaps out of memory.
   */
  private record Bytes(byte[] array, int length) {
    static Bytes of(Buffer buffer) {
      io.netty.buffer.ByteBuf buf = ((io.vertx.core.internal.buffer.BufferInternal) buffer).getByteBuf();
      boolean inPlace = buf.hasArray() && buf.arrayOffset() + buf.readerIndex() == 0;
      byte[] bytes = inPlace ? buf.array() : buffer.getBytes();
      int length = inPlace ? buf.readableBytes() : bytes.length;
      int bad = Utf8.firstInvalid(bytes, 0, length);
      if (bad >= 0) {
        throw new InvalidChangeException("body", NOT_UTF8 + " (malformed at byte " + bad + ")");
      }
      return new Bytes(bytes, length);
    }
  }

  /**
   * Reads a WebSocket frame from a client: a {@code request} object is streamed, its validation error
   * (if any) is {@link Frame#invalid()}. Every other field (and {@code request} when it is not an
   * object) is in {@link Frame#fields()}. Bad JSON throws {@link InvalidChangeException} with field {@code body}.
   */
  public static Frame clientFrame(String text) {
    return frame(text, true);
  }

  /**
   * {@link #clientFrame(String)} from the message's bytes, which must be well-formed UTF-8 (else an
   * {@link InvalidChangeException} on field {@code body}): read in place, as an HTTP body is. Decoded to a
   * String first, a message took twice its bytes again (once it holds a char outside Latin-1).
   */
  public static Frame clientFrame(Buffer message) {
    try {
      Bytes in = Bytes.of(message);
      return frame(new WireReader(in.array(), in.length(), null, CLIENT_FRAME_FACTORY), true);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  /**
   * Reads a WebSocket frame from a server: a {@code response} object and a {@code changes} array are
   * streamed, the first validation error is {@link Frame#invalid()}; the rest as {@link #clientFrame}.
   */
  public static Frame serverFrame(String text) {
    return frame(text, false);
  }

  private static Frame frame(String text, boolean fromClient) {
    try {
      return frame(new WireReader(null, text, fromClient ? CLIENT_FRAME_FACTORY : FACTORY), fromClient);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  private static Frame frame(WireReader r, boolean fromClient) {
    try {
      r.expectObject();
      JsonObject fields = new JsonObject();
      SyncRequest request = null;
      SyncResponse response = null;
      List<Change> changes = null;
      InvalidChangeException invalid = null;
      String invalidField = null;
      String name;
      while ((name = r.p.nextFieldName()) != null) {
        JsonToken t = r.p.nextToken();
        try {
          if (fromClient && name.equals("request") && t == JsonToken.START_OBJECT) {
            request = r.readRequest();
          } else if (!fromClient && name.equals("response") && t == JsonToken.START_OBJECT) {
            response = r.readResponse();
          } else if (!fromClient && name.equals("changes") && t == JsonToken.START_ARRAY) {
            changes = r.in.readChanges("changes");
          } else {
            fields.put(name, r.in.readAny());
          }
        } catch (InvalidChangeException e) {
          if (invalid == null) {
            invalid = e;
            invalidField = name;
          }
        }
      }
      r.expectEnd();
      return new Frame(fields, request, response, changes, invalid, invalidField);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  // ---- messages (the parser is at the message's START_OBJECT; each reads to its END_OBJECT)

  private SyncRequest readRequest() throws IOException {
    MessageFields.Request fields = new MessageFields.Request();
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "protocol" -> fields.protocol = in.readAny();
        case "node_id" -> fields.nodeId = in.readAny();
        case "cursor" -> fields.cursor = in.readAny();
        case "limit" -> fields.limit = in.readAny();
        case "include_own" -> fields.includeOwn = in.readAny();
        case "ops" -> {
          if (t == JsonToken.START_ARRAY) {
            fields.opError = in.readChangesInto(fields.ops, "ops", SyncProtocol.MAX_OPS, new SyncProtocol.TooManyOpsException());
          } else {
            fields.opsValue = in.readAny();
          }
        }
        default -> p.skipChildren();
      }
    }
    return fields.check();
  }

  private SyncResponse readResponse() throws IOException {
    MessageFields.Response fields = new MessageFields.Response();
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "cursor" -> fields.cursor = in.readAny();
        case "more" -> fields.more = in.readAny();
        case "remaining" -> fields.remaining = in.readAny();
        case "changes" -> {
          if (t == JsonToken.START_ARRAY) {
            fields.hasChanges = true;
            fields.changeError = in.readChangesInto(fields.changes, "changes");
          } else {
            fields.changesValue = in.readAny();
          }
        }
        case "results" -> {
          if (t == JsonToken.START_ARRAY) {
            fields.hasResults = true;
            while (p.nextToken() != JsonToken.END_ARRAY) {
              fields.results.add(OpResult.fromJson(p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : in.readAny()));
            }
          } else {
            fields.resultsValue = in.readAny();
          }
        }
        default -> p.skipChildren();
      }
    }
    return fields.check();
  }

  private void expectObject() throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new InvalidChangeException("body", "must be a JSON object");
    }
  }

  /** After the message's END_OBJECT: nothing may follow. */
  private void expectEnd() throws IOException {
    if (p.nextToken() != null) {
      throw new InvalidChangeException("body", "is not valid JSON: trailing data after the object");
    }
    p.close();
  }

  /** Bad JSON, as every reader of sync messages reports it (the parser's message, first line). */
  public static InvalidChangeException malformed(Exception e) {
    String m = e.getMessage();
    int nl = m == null ? -1 : m.indexOf('\n');
    return new InvalidChangeException("body", "is not valid JSON: " + (m == null ? "malformed" : nl < 0 ? m : m.substring(0, nl)));
  }

}
