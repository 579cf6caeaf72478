"""Provider access: presets, settings, the chat client (transport, payload, reader), the SSE
decoder, key redaction, provider error mapping."""
