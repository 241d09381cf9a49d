package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeStream;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.function.Function;

/** A {@link ChangeStream} over an event-bus consumer: flow control is the consumer's own. */
final class ChangeStreamImpl implements ChangeStream {

  private final MessageConsumer<Object> consumer;
  private final Function<Object, Change> decode;
  private Handler<Void> endHandler;

  ChangeStreamImpl(MessageConsumer<Object> consumer, Function<Object, Change> decode) {
    this.consumer = consumer;
    this.decode = decode;
  }

  @Override
  public ChangeStream exceptionHandler(Handler<Throwable> handler) {
    consumer.exceptionHandler(handler);
    return this;
  }

  @Override
  public ChangeStream handler(Handler<Change> handler) {
    if (handler == null) {
      consumer.handler(null);
    } else {
      consumer.handler(msg -> handler.handle(decode.apply(msg.body())));
    }
    return this;
  }

  @Override
  public ChangeStream pause() {
    consumer.pause();
    return this;
  }

  @Override
  public ChangeStream resume() {
    consumer.resume();
    return this;
  }

  @Override
  public ChangeStream fetch(long amount) {
    consumer.fetch(amount);
    return this;
  }

  @Override
  public ChangeStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public Future<Void> close() {
    return consumer.unregister().onComplete(ar -> {
      Handler<Void> h = endHandler;
      if (h != null) {
        h.handle(null);
      }
    });
  }
}
