"""One person's conversation: turns, the history kept in the session, and the exchange."""
