package dev.switchboard.app;

import dev.switchboard.core.apps.App;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.WebhookSender;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Ringing call events signed as Dialpad signs them, posted to an app's webhook path; each with a call id of its own. */
final class SignedDeliveries {
    private final WebhookSender sender = WebhookSender.create();
    private final AtomicLong callIds;

    /** Deliveries whose call ids start after {@code firstCallId}, a range no other test of the class uses. */
    SignedDeliveries(long firstCallId) {
        this.callIds = new AtomicLong(firstCallId);
    }

    /** The status of one delivery to {@code app}'s path on {@code instance}, signed with {@code secret}. */
    int deliver(Switchboard instance, App app, String secret) {
        URI hook = URI.create("http://127.0.0.1:" + instance.port() + "/webhooks/dialpad/" + app.id());
        return sender.sendJwt(hook, secret, DialpadEvents.call(callIds.incrementAndGet(), "ringing").build())
                .status();
    }

    /** Delivers every 20 ms until {@code instance} answers {@code status}, for at most 10 s; the last status. */
    int deliverUntil(Switchboard instance, App app, String secret, int status) throws Exception {
        return Await.atMost(Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(20))
                .until(() -> deliver(instance, app, secret), answered -> answered == status);
    }
}
