package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * Event-bus codec of {@link Change}: local delivery passes the same immutable instance to every
 * consumer (no per-consumer JSON copy); across a cluster it travels as its event JSON form.
 */
public final class ChangeMessageCodec implements MessageCodec<Change, Change> {

  public static final String NAME = "tide.change";

  @Override
  public void encodeToWire(Buffer buffer, Change change) {
    Buffer json = change.toEventJson().toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public Change decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return ChangeCodec.decodeEvent(new JsonObject(buffer.slice(pos + 4, pos + 4 + length)));
  }

  @Override
  public Change transform(Change change) {
    return change;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
