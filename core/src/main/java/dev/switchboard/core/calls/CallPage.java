package dev.switchboard.core.calls;

import java.util.List;

/** One page of calls, with the number of calls matching the filter in all pages. */
public record CallPage(List<Call> calls, long total, int limit, int offset) {
    public CallPage {
        calls = List.copyOf(calls);
        if (total < 0 || limit < 1 || offset < 0) {
            throw new IllegalArgumentException("total, limit and offset must be positive");
        }
    }

    /** True when calls exist after this page. */
    public boolean hasMore() {
        return offset + (long) calls.size() < total;
    }

}
