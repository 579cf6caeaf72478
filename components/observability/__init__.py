"""What operators see of the app's traffic, without its content: the JSON-lines request log."""
