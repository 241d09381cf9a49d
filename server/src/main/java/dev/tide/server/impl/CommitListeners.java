package dev.tide.server.impl;

import dev.tide.server.spi.ChangeSignal;
import dev.tide.server.spi.CommittedChanges;
import io.vertx.core.Handler;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The in-process side of a store's {@link ChangeSignal}: who to tell of each commit. */
final class CommitListeners implements ChangeSignal {

  private final List<Handler<CommittedChanges>> listeners = new CopyOnWriteArrayList<>();

  @Override
  public Runnable subscribe(Handler<CommittedChanges> onCommitted) {
    listeners.add(onCommitted);
    return () -> listeners.remove(onCommitted);
  }

  void fire(CommittedChanges commit) {
    for (Handler<CommittedChanges> l : listeners) {
      l.handle(commit);
    }
  }
}
