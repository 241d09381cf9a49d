package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.OpResult;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a sync message as a reader found them (any JSON value; changes already decoded up to
 * the first invalid one), and the message-level rules of PROTOCOL.md checked in one order. Both readers
 * fill these: the tree reader ({@link SyncRequest#fromJson}) and the streaming one ({@link WireReader}),
 * so a message gets the same error whichever read it.
 */
public final class MessageFields {

  private MessageFields() {
  }

  /** A request's fields. */
  public static final class Request {
    public Object protocol;
    public Object nodeId;
    public Object cursor;
    public Object limit;
    public Object includeOwn;
    /** {@code ops} when it is not an array (null when absent or an array). */
    public Object opsValue;
    /** The ops before the first invalid one. */
    public final List<Change> ops = new ArrayList<>();
    /** The first invalid op's error, its field qualified ({@code ops[3].stamp.counter}), or null. */
    public InvalidChangeException opError;

    public SyncRequest check() {
      if (!(protocol instanceof Integer || protocol instanceof Long) || ((Number) protocol).longValue() != SyncProtocol.VERSION) {
        throw new SyncProtocol.UnsupportedProtocolException(protocol);
      }
      String node = ChangeCodec.checkNode(nodeId, "node_id");
      String cur = SyncProtocol.checkCursor(cursor, "cursor");
      if (opsValue != null) {
        throw new InvalidChangeException("ops", "must be an array");
      }
      for (int i = 0; i < ops.size(); i++) { // an op of another node before the first invalid one wins
        if (!ops.get(i).stamp().node().equals(node)) {
          throw new InvalidChangeException("ops[" + i + "].stamp.node", "must equal node_id: a client pushes only its own writes");
        }
      }
      if (opError != null) {
        throw opError;
      }
      Integer lim = null;
      if (limit != null) {
        lim = positiveLimit(limit);
      }
      if (includeOwn != null && !(includeOwn instanceof Boolean)) {
        throw new InvalidChangeException("include_own", "must be a boolean");
      }
      return new SyncRequest(node, cur, ops, lim, Boolean.TRUE.equals(includeOwn));
    }
  }

  /**
   * Any integer ≥ 1; above int range (a parser gives a Long or a BigInteger) it becomes
   * Integer.MAX_VALUE, which the server clamps to its maximum like any value above it.
   */
  private static int positiveLimit(Object limit) {
    BigInteger value = limit instanceof Integer || limit instanceof Long ? BigInteger.valueOf(((Number) limit).longValue())
      : limit instanceof BigInteger b ? b : null;
    if (value == null || value.signum() < 1) {
      throw new InvalidChangeException("limit", "must be a positive integer");
    }
    return value.min(BigInteger.valueOf(Integer.MAX_VALUE)).intValue();
  }

  /** A response's fields. */
  public static final class Response {
    public Object cursor;
    public Object more;
    public Object remaining;
    /** {@code changes} / {@code results} when not an array (null when absent or an array). */
    public Object changesValue;
    public Object resultsValue;
    /** The changes before the first invalid one. */
    public final List<Change> changes = new ArrayList<>();
    /** The first invalid change's error, its field qualified ({@code changes[0].doc}), or null. */
    public InvalidChangeException changeError;
    public final List<OpResult> results = new ArrayList<>();
    /** Whether {@code changes} / {@code results} were arrays (absent or null: missing). */
    public boolean hasChanges;
    public boolean hasResults;

    public SyncResponse check() {
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
      if (!(more instanceof Boolean)) {
        throw new InvalidChangeException("more", "must be a boolean");
      }
      // read as empty or false, a missing field would move the cursor past changes never sent (PROTOCOL.md section 3)
      if (!hasChanges) {
        throw new InvalidChangeException("changes", "is required in a response");
      }
      if (!hasResults) {
        throw new InvalidChangeException("results", "is required in a response");
      }
      if (!(remaining instanceof Integer || remaining instanceof Long) || ((Number) remaining).longValue() < 0) {
        throw new InvalidChangeException("remaining", remaining == null ? "is required in a response"
          : "must be a non-negative integer");
      }
      return new SyncResponse(cur, changes, Boolean.TRUE.equals(more), results, ((Number) remaining).longValue());
    }
  }
}
