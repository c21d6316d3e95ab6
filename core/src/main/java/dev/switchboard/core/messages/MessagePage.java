package dev.switchboard.core.messages;

import java.util.List;

/** One page of messages, with the number of messages matching the filter in all pages. */
public record MessagePage(List<Message> messages, long total, int limit, int offset) {
    public MessagePage {
        messages = List.copyOf(messages);
        if (total < 0 || limit < 1 || offset < 0) {
            throw new IllegalArgumentException("total, limit and offset must be positive");
        }
    }

    /** True when messages exist after this page. */
    public boolean hasMore() {
        return offset + (long) messages.size() < total;
    }
}
