package dev.switchboard.core.push;

/** The events the contract pushes over {@code /ws}; {@link #wireName()} is the {@code type} field clients see. */
public enum PushEventType {
    CALL_RING("call.ring"),
    CALL_STARTED("call.started"),
    CALL_ENDED("call.ended"),
    CALL_RECORDING("call.recording"),
    VOICEMAIL_RECEIVED("voicemail.received"),
    MESSAGE_RECEIVED("message.received");

    private final String wireName;

    PushEventType(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire, e.g. {@code call.ring}. */
    public String wireName() {
        return wireName;
    }
}
