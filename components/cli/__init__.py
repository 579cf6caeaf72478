"""The command line: ``kantu prepare|ask|read|probe|batch`` (also ``python -m components``)."""
