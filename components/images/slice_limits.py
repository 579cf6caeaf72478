"""How many slices a long picture may be cut into (``slicing``): by default, and at most.

Kept apart from the slicing itself, so that the settings' defaults (``ui.state_keys``) import
nothing heavy.
"""

DEFAULT_MAX_SLICES = 10  # 1170×20000 needs 8; a 60,000-px page (22) must be asked for
MAX_SLICES_LIMIT = 40
