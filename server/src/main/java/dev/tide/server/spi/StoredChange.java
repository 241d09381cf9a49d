package dev.tide.server.spi;

import dev.tide.core.Stamp;

/**
 * A document's latest state as stored by the server, at its change sequence. The body stays the JSON
 * text it was stored as (validated on the way in), so responses are written without re-parsing it.
 *
 * @param seq        the change sequence at which this state was committed
 * @param collection the collection
 * @param id         the id
 * @param stamp      the stamp
 * @param body       the document's JSON text, or null for a tombstone
 */
public record StoredChange(long seq, String collection, String id, Stamp stamp, String body) {

  public boolean deleted() {
    return body == null;
  }
}
