"""docs/scaling.md is true to the code: the settings its table says every replica must share are
the ones the code reads, each where the table says, and every setting the code reads is there."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from streamlit import config as streamlit_config

from components.hosting.client_address import SETTING as TRUSTED_PROXIES_SETTING
from components.hosting.config import HOSTING_SETTINGS
from components.providers.settings import OPERATOR_SETTINGS
from components.ui.access import SQL_CONNECTION
from components.ui.reader_quota import SETTING as READER_SETTING
from components.ui.upload_guard import UPLOAD_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "scaling.md"
ROW = re.compile(r"^\| `([^`]+)` \| ([^|]+) \|", re.MULTILINE)
# what the price book reads (components/costs/prices.py names it in its calls, not a tuple)
PRICES_SETTING = "KANTU_PRICES"


def documented() -> dict[str, str]:
    """Return the doc's table of shared settings: name -> its "read by" cell."""
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- shared-settings -->", 1)[1].split("<!-- /shared-settings -->", 1)[0]
    return dict(ROW.findall(table))


def code_settings() -> set[str]:
    """Return the KANTU_* settings the code declares it reads."""
    declared = {*OPERATOR_SETTINGS, *HOSTING_SETTINGS, *UPLOAD_SETTINGS, READER_SETTING}
    declared |= {TRUSTED_PROXIES_SETTING}
    return {name for name in declared | {PRICES_SETTING} if name.startswith("KANTU_")}


def test_every_documented_setting_is_read_where_the_doc_says() -> None:
    table = documented()
    assert len(table) >= 10
    for name, cell in table.items():
        if name.startswith("server."):  # Streamlit's own option, given by its environment name
            streamlit_config.get_option(name)  # raises when Streamlit has no such option
            section, option = name.split(".")
            variable = "STREAMLIT_" + "_".join((section, *re.findall("[a-z]+|[A-Z][a-z]*", option)))
            assert f"`{variable.upper()}`" in cell
            assert f"{variable.upper()}:" in (ROOT / "compose.yaml").read_text(encoding="utf-8")
            continue
        reader = re.findall(r"`([\w./]+/[\w.]+)`", cell)[0]
        source = (ROOT / reader).read_text(encoding="utf-8")
        if name.startswith("[connections."):
            assert name == f"[connections.{SQL_CONNECTION}]"
            assert "SQL_CONNECTION" in source
        elif reader.endswith(".sh"):
            assert f"${{{name}" in source, name
        else:
            assert f'"{name}"' in source, f"{reader} does not read {name}"


def test_every_setting_the_code_reads_is_documented() -> None:
    assert code_settings() - set(documented()) == set()


def test_the_replicas_shared_state_is_in_the_table() -> None:
    table = documented()
    for name in ("[connections.kantu_ledger]", "KANTU_LEDGER_SALT", "server.cookieSecret"):
        assert name in table
    text = DOC.read_text(encoding="utf-8")
    assert "[connections.ledger]" not in text  # the old, wrong name: limits silently per replica
    assert "/_stcore/health" in text


def test_compose_sets_only_documented_settings() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]
    app_settings = {
        name
        for service in services.values()
        if service.get("build")
        for name in service["environment"]
        if name.startswith("KANTU_")
    }
    assert app_settings - set(documented()) == set()
    # every shared setting the code reads can be given to the containers
    assert code_settings() - app_settings <= {"KANTU_LEDGER_PATH"}
