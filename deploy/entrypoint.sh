#!/bin/sh
# The container's start: secrets come by environment. Streamlit reads a database connection only
# from its secrets, so KANTU_LEDGER_URL (a SQLAlchemy URL) is written to the user's secrets file
# as [connections.kantu_ledger] (owner-only), then the command runs. The other KANTU_* settings
# and STREAMLIT_SERVER_COOKIE_SECRET are read from the environment as they are.
set -eu
if [ -n "${KANTU_LEDGER_URL:-}" ]; then
  mkdir -p "$HOME/.streamlit"
  umask 077
  python - <<'PY'
import json, os, pathlib
# a JSON string is a valid TOML basic string: quotes and backslashes in a password stay intact
url = json.dumps(os.environ["KANTU_LEDGER_URL"])
secrets = pathlib.Path.home() / ".streamlit" / "secrets.toml"
secrets.write_text(f"[connections.kantu_ledger]\nurl = {url}\n", encoding="utf-8")
PY
fi
exec "$@"
