package dev.tide.core.impl;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import dev.tide.core.ChangeSource;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.Stamp;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The op/change codec of {@link ChangeCodec} on a streaming parser, for {@link WireReader}: reads
 * changes with the same checks and errors in the same order, walks each document token by token, and
 * keeps its text as it arrived (a slice of the message). Each reader consumes its whole value before
 * it throws an {@link InvalidChangeException}.
 */
final class WireChanges {

  final JsonParser p;
  private final byte[] bytes;
  private final String text;

  /**
   * @param length  how many of {@code bytes}, from the first, are the message
   * @param factory the parser's limits (the message's nesting)
   */
  WireChanges(byte[] bytes, int length, String text, com.fasterxml.jackson.core.JsonFactory factory) throws IOException {
    this.bytes = bytes;
    this.text = text;
    this.p = bytes != null ? factory.createParser(bytes, 0, length) : factory.createParser(text);
  }

  /** The parser is at START_ARRAY: reads every element; throws the first invalid one's error after the array. */
  List<Change> readChanges(String field) throws IOException {
    List<Change> changes = new ArrayList<>();
    InvalidChangeException error = readChangesInto(changes, field);
    if (error != null) {
      throw error;
    }
    return changes;
  }

  /** Adds the changes before the first invalid one and returns its error (null if none); reads to END_ARRAY. */
  InvalidChangeException readChangesInto(List<Change> into, String field) throws IOException {
    return readChangesInto(into, field, Integer.MAX_VALUE, null);
  }

  /**
   * As {@link #readChangesInto(List, String)}, but past {@code max} elements the rest are skipped, not read
   * into memory, and {@code tooMany} is the error (unless an element before was invalid).
   */
  InvalidChangeException readChangesInto(List<Change> into, String field, int max, InvalidChangeException tooMany)
    throws IOException {
    for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
      if (i == max) {
        do { // the rest is still read: a syntax error there wins
          p.skipChildren();
        } while (p.nextToken() != JsonToken.END_ARRAY);
        return tooMany;
      }
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
          String name = p.currentName();
          if (!wellFormed(name)) {
            problem = "has a key with unpaired surrogates";
          } else if (ChangeCodec.utf8LongerThan(name, ChangeCodec.MAX_KEY_BYTES)) {
            // as ChangeCodec.checkDoc: the parser takes up to 64 KiB, a client's default JSON parser only this
            problem = "has a key longer than " + ChangeCodec.MAX_KEY_BYTES + " bytes";
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
    String json = slice(start, end);
    // the limit is on the text as sent and stored, in UTF-8 bytes (a frame's text is measured again)
    if (bytes != null ? end - start > ChangeCodec.MAX_DOC_BYTES : ChangeCodec.utf8LongerThan(json, ChangeCodec.MAX_DOC_BYTES)) {
      return new Doc(null, new InvalidChangeException("doc", "is larger than " + ChangeCodec.MAX_DOC_BYTES + " bytes serialized"));
    }
    return new Doc(json, null);
  }

  // ---- plumbing

  /** Any value, decoded as Vert.x decodes it (containers through their text; they are small here). */
  Object readAny() throws IOException {
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

  /** Bytes that Jackson reads as UTF-16 or UTF-32 have no byte offsets: sync messages are UTF-8. */
  void requireUtf8() {
    if (bytes != null && !(p instanceof com.fasterxml.jackson.core.json.UTF8StreamJsonParser)) {
      throw new InvalidChangeException("body", WireReader.NOT_UTF8);
    }
  }

  /** The text of a value; bytes were checked as strict UTF-8 first, so it is what the parser validated. */
  private String slice(long start, long end) {
    return bytes != null ? new String(bytes, (int) start, (int) (end - start), StandardCharsets.UTF_8)
      : text.substring((int) start, (int) end);
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
