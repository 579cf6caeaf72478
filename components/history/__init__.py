"""Saved chats: the ops that move them (``ops``), a loaded chat back into a conversation
(``records``), and the server's store with its share links (``server_store``, ``shares``).
No streamlit here: the UI owns the visitor's identity and calls these."""
