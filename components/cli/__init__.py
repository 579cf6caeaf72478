"""The command line: ``python -m components prepare|ask``."""
