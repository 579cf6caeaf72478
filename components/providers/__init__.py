"""Provider access: presets, settings, the HTTP client, the SSE decoder, provider errors."""
