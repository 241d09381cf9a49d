package dev.tide.core.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import dev.tide.core.ChangeSource;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.OpResult;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads sync messages with a streaming parser, the counterpart of {@link WireJson}. Every field is
 * validated by the rules of {@link ChangeCodec}, {@link SyncRequest#fromJson} and
 * {@link SyncResponse#fromJson}, with the same errors in the same order, but no message is built as a
 * tree: each document is checked token by token and kept as the exact JSON text it arrived as, so it
 * is never parsed into objects and encoded again (the receiver stores and forwards that text).
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
      .maxNumberLength(64)
      .maxNameLength(64 * 1024)
      .maxDocumentLength(SyncProtocol.MAX_REQUEST_BYTES)
      .build())
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    .build();

  private final JsonParser p;
  private final byte[] bytes;
  private final String text;

  private WireReader(byte[] bytes, String text) throws IOException {
    this.bytes = bytes;
    this.text = text;
    this.p = bytes != null ? FACTORY.createParser(bytes) : FACTORY.createParser(text);
  }

  /** A frame of the WebSocket protocol: its streamed parts, the other fields as JSON. */
  public record Frame(JsonObject fields, SyncRequest request, SyncResponse response, List<Change> changes,
                      InvalidChangeException invalid) {
  }

  /** Reads a request body; throws {@link InvalidChangeException} (field {@code body} for bad JSON). */
  public static SyncRequest request(Buffer body) {
    try {
      WireReader r = new WireReader(body.getBytes(), null);
      r.expectObject();
      SyncRequest request;
      try {
        request = r.readRequest();
      } catch (InvalidChangeException e) {
        r.expectEnd(); // bad JSON after the object is reported first, as by a parser that reads it all
        throw e;
      }
      r.expectEnd();
      return request;
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  /** Reads a response body; throws {@link InvalidChangeException} (field {@code body} for bad JSON). */
  public static SyncResponse response(Buffer body) {
    try {
      WireReader r = new WireReader(body.getBytes(), null);
      r.expectObject();
      SyncResponse response;
      try {
        response = r.readResponse();
      } catch (InvalidChangeException e) {
        r.expectEnd(); // bad JSON after the object is reported first
        throw e;
      }
      r.expectEnd();
      return response;
    } catch (IOException e) {
      throw malformed(e);
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
   * Reads a WebSocket frame from a server: a {@code response} object and a {@code changes} array are
   * streamed, the first validation error is {@link Frame#invalid()}; the rest as {@link #clientFrame}.
   */
  public static Frame serverFrame(String text) {
    return frame(text, false);
  }

  private static Frame frame(String text, boolean fromClient) {
    try {
      WireReader r = new WireReader(null, text);
      r.expectObject();
      JsonObject fields = new JsonObject();
      SyncRequest request = null;
      SyncResponse response = null;
      List<Change> changes = null;
      InvalidChangeException invalid = null;
      String name;
      while ((name = r.p.nextFieldName()) != null) {
        JsonToken t = r.p.nextToken();
        try {
          if (fromClient && name.equals("request") && t == JsonToken.START_OBJECT) {
            request = r.readRequest();
          } else if (!fromClient && name.equals("response") && t == JsonToken.START_OBJECT) {
            response = r.readResponse();
          } else if (!fromClient && name.equals("changes") && t == JsonToken.START_ARRAY) {
            changes = r.readChanges("changes");
          } else {
            fields.put(name, r.readAny());
          }
        } catch (InvalidChangeException e) {
          invalid = invalid == null ? e : invalid;
        }
      }
      r.expectEnd();
      return new Frame(fields, request, response, changes, invalid);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  // ---- messages (the parser is at the message's START_OBJECT; each reads to its END_OBJECT)

  private SyncRequest readRequest() throws IOException {
    Object protocol = null;
    Object nodeId = null;
    Object cursor = null;
    Object limit = null;
    Object includeOwn = null;
    Object opsValue = null;
    List<Change> ops = List.of();
    InvalidChangeException opError = null;
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "protocol" -> protocol = readAny();
        case "node_id" -> nodeId = readAny();
        case "cursor" -> cursor = readAny();
        case "limit" -> limit = readAny();
        case "include_own" -> includeOwn = readAny();
        case "ops" -> {
          if (t == JsonToken.START_ARRAY) {
            ops = new ArrayList<>();
            opError = readChangesInto(ops, "ops");
          } else {
            opsValue = readAny();
          }
        }
        default -> p.skipChildren();
      }
    }
    // the checks of SyncRequest.fromJson, in its order
    if (!(protocol instanceof Integer || protocol instanceof Long) || ((Number) protocol).longValue() != SyncProtocol.VERSION) {
      throw new SyncProtocol.UnsupportedProtocolException(protocol);
    }
    String node = ChangeCodec.checkNode(nodeId, "node_id");
    String cur = SyncProtocol.checkCursor(cursor, "cursor");
    if (opsValue != null) {
      throw new InvalidChangeException("ops", "must be an array");
    }
    for (int i = 0; i < ops.size(); i++) {
      if (!ops.get(i).stamp().node().equals(node)) {
        throw new InvalidChangeException("ops[" + i + "].stamp.node", "must equal node_id: a client pushes only its own writes");
      }
    }
    if (opError != null) {
      throw opError;
    }
    Integer lim = null;
    if (limit != null) {
      if (!(limit instanceof Integer l) || l < 1) {
        throw new InvalidChangeException("limit", "must be a positive integer");
      }
      lim = l;
    }
    if (includeOwn != null && !(includeOwn instanceof Boolean)) {
      throw new InvalidChangeException("include_own", "must be a boolean");
    }
    return new SyncRequest(node, cur, ops, lim, Boolean.TRUE.equals(includeOwn));
  }

  private SyncResponse readResponse() throws IOException {
    Object cursor = null;
    Object more = null;
    Object remaining = null;
    Object changesValue = null;
    Object resultsValue = null;
    List<Change> changes = new ArrayList<>();
    InvalidChangeException changeError = null;
    List<OpResult> results = new ArrayList<>();
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "cursor" -> cursor = readAny();
        case "more" -> more = readAny();
        case "remaining" -> remaining = readAny();
        case "changes" -> {
          if (t == JsonToken.START_ARRAY) {
            changes = new ArrayList<>();
            changeError = readChangesInto(changes, "changes");
          } else {
            changesValue = readAny();
          }
        }
        case "results" -> {
          if (t == JsonToken.START_ARRAY) {
            results = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
              results.add(OpResult.fromJson(p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : readAny()));
            }
          } else {
            resultsValue = readAny();
          }
        }
        default -> p.skipChildren();
      }
    }
    // the checks of SyncResponse.fromJson, in its order
    String cur = SyncProtocol.checkCursor(cursor, "cursor");
    if (cur == null) {
      throw new InvalidChangeException("cursor", "is required in a response");
    }
    if (changeError != null) {
      throw changeError;
    }
    if (changesValue != null) {
      throw new InvalidChangeException("changes", "must be an array");
    }
    if (resultsValue != null) {
      throw new InvalidChangeException("results", "must be an array");
    }
    if (more != null && !(more instanceof Boolean)) {
      throw new InvalidChangeException("more", "must be a boolean");
    }
    long rem = remaining instanceof Integer || remaining instanceof Long ? Math.max(0, ((Number) remaining).longValue()) : 0;
    return new SyncResponse(cur, changes, Boolean.TRUE.equals(more), results, rem);
  }

  /** The parser is at START_ARRAY: reads every element; throws the first invalid one's error after the array. */
  private List<Change> readChanges(String field) throws IOException {
    List<Change> changes = new ArrayList<>();
    InvalidChangeException error = readChangesInto(changes, field);
    if (error != null) {
      throw error;
    }
    return changes;
  }

  /** Adds the changes before the first invalid one and returns its error (null if none); reads to END_ARRAY. */
  private InvalidChangeException readChangesInto(List<Change> into, String field) throws IOException {
    for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
      try {
        Change c = readChange();
        into.add(c);
      } catch (InvalidChangeException e) {
        while (p.nextToken() != JsonToken.END_ARRAY) { // the rest is still read: a syntax error there wins
          p.skipChildren();
        }
        return e.within(field + "[" + i + "]");
      }
    }
    return null;
  }

  // ---- one change (the checks of ChangeCodec.decode, in its order)

  private Change readChange() throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      return ChangeCodec.decode(readAny(), ChangeSource.REMOTE); // throws: not an object
    }
    Object collection = null;
    Object id = null;
    Object deleted = null;
    Object stamp = null;
    boolean stampObject = false;
    Object counter = null;
    Object node = null;
    Object doc = null;
    Doc docText = null;
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "collection" -> collection = readAny();
        case "id" -> id = readAny();
        case "deleted" -> deleted = readAny();
        case "stamp" -> {
          stampObject = t == JsonToken.START_OBJECT;
          if (stampObject) {
            String f;
            while ((f = p.nextFieldName()) != null) {
              p.nextToken();
              switch (f) {
                case "counter" -> counter = readAny();
                case "node" -> node = readAny();
                default -> p.skipChildren();
              }
            }
          } else {
            stamp = readAny();
          }
        }
        case "doc" -> {
          if (t == JsonToken.START_OBJECT) {
            docText = readDoc();
          } else {
            doc = readAny();
          }
        }
        default -> p.skipChildren();
      }
    }
    String c = ChangeCodec.checkCollection(collection, "collection");
    String i = ChangeCodec.checkId(id, "id");
    Stamp s = stampObject ? new Stamp(ChangeCodec.checkCounter(counter, "stamp.counter"), ChangeCodec.checkNode(node, "stamp.node"))
      : ChangeCodec.decodeStamp(stamp, "stamp");
    if (deleted != null && !(deleted instanceof Boolean)) {
      throw new InvalidChangeException("deleted", "must be a boolean");
    }
    if (Boolean.TRUE.equals(deleted)) {
      if (doc != null || docText != null) {
        throw new InvalidChangeException("doc", "must be absent when deleted is true");
      }
      return new Change(c, i, s, null, ChangeSource.REMOTE);
    }
    if (docText == null) {
      ChangeCodec.checkDoc(doc, "doc"); // absent, or not an object: throws
      throw new IllegalStateException("not a document: " + doc);
    }
    if (docText.problem() != null) {
      throw docText.problem();
    }
    return Change.ofJson(c, i, s, docText.json(), ChangeSource.REMOTE);
  }

  /** A document's text as it arrived, or what is wrong with it (reported in the order ChangeCodec checks). */
  private record Doc(String json, InvalidChangeException problem) {
  }

  /**
   * The parser is at a document's START_OBJECT: walks it to its END_OBJECT, checking it as
   * {@link ChangeCodec#checkDoc} does.
   */
  private Doc readDoc() throws IOException {
    long start = offset(p.currentTokenLocation());
    String problem = null;
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (problem != null) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          p.skipChildren();
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        }
        continue;
      }
      switch (t) {
        case START_OBJECT, START_ARRAY -> {
          if (++depth > ChangeCodec.MAX_DOC_DEPTH) {
            problem = "nests deeper than " + ChangeCodec.MAX_DOC_DEPTH + " levels";
            p.skipChildren();
            depth--;
          }
        }
        case END_OBJECT, END_ARRAY -> depth--;
        case FIELD_NAME -> {
          if (!wellFormed(p.currentName())) {
            problem = "has a key with unpaired surrogates";
          }
        }
        case VALUE_STRING -> {
          if (!wellFormed(p.getTextCharacters(), p.getTextOffset(), p.getTextLength())) {
            problem = "has a string with unpaired surrogates";
          }
        }
        case VALUE_NUMBER_FLOAT -> {
          if (!Double.isFinite(p.getDoubleValue())) {
            problem = "has a non-finite number (NaN or Infinity)";
          }
        }
        default -> {
          // integers, booleans and null need no check
        }
      }
    }
    if (problem != null) {
      return new Doc(null, new InvalidChangeException("doc", problem));
    }
    long end = offset(p.currentLocation());
    if (end - start > ChangeCodec.MAX_DOC_BYTES) {
      // over the limit as sent (escapes, spaces): the limit is on the document's compact form, so measure that
      try {
        return new Doc(ChangeCodec.checkDoc(new JsonObject(slice(start, end)), "doc"), null);
      } catch (InvalidChangeException e) {
        return new Doc(null, e);
      }
    }
    return new Doc(slice(start, end), null);
  }

  // ---- plumbing

  /** Any value, decoded as Vert.x decodes it (containers through their text; they are small here). */
  private Object readAny() throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case START_OBJECT, START_ARRAY -> {
        long start = offset(p.currentTokenLocation());
        p.skipChildren();
        try {
          yield Json.decodeValue(slice(start, offset(p.currentLocation())));
        } catch (DecodeException e) { // cannot happen for text the parser accepted; keep the type honest
          throw new IOException(e.getMessage(), e);
        }
      }
      default -> throw new IOException("unexpected " + p.currentToken());
    };
  }

  private long offset(com.fasterxml.jackson.core.JsonLocation location) {
    return bytes != null ? location.getByteOffset() : location.getCharOffset();
  }

  private String slice(long start, long end) {
    return bytes != null ? new String(bytes, (int) start, (int) (end - start), StandardCharsets.UTF_8)
      : text.substring((int) start, (int) end);
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

  private static InvalidChangeException malformed(IOException e) {
    String m = e.getMessage();
    int nl = m == null ? -1 : m.indexOf('\n');
    return new InvalidChangeException("body", "is not valid JSON: " + (m == null ? "malformed" : nl < 0 ? m : m.substring(0, nl)));
  }

  /** No unpaired surrogate in the name (names are few and short; Jackson keeps one copy of each). */
  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        return wellFormed(s.toCharArray(), 0, s.length());
      }
    }
    return true;
  }

  /** No unpaired surrogate in {@code chars[offset, offset + length)}. */
  private static boolean wellFormed(char[] chars, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      char c = chars[i];
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
          i++;
        } else {
          return false;
        }
      }
    }
    return true;
  }
}
