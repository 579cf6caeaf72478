"""Hosting in public: who may spend the operator's key (access), how much (limits), and what was
spent (ledger). Free of streamlit; ``components.ui.access`` and ``components.ui.admin`` draw it."""
