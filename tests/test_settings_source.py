"""One settings reader: secrets, then the environment, parsed the same way for the app and the CLI.

The app reads ``st.secrets`` (here Streamlit's own ``Secrets`` loader on the same files) and the
command line reads the secrets files itself; for every setting both must find the same value.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.runtime.secrets import Secrets

from components.costs.prices import PriceBook
from components.devtools.upstream import FakeUpstream, sse
from components.errors import ConfigError
from components.hosting.config import HOSTING_SETTINGS, hosting_config
from components.providers.settings import OPERATOR_SETTINGS, operator_config
from components.settings_source import SecretsCache, SettingsSource, command_line_source, plain
from tests.conftest import cli_environment

KEY = "sk-settings-0123456789abcdef"

USER_SECRETS = """
KANTU_ACCESS_CODE = "from-the-user-file"
KANTU_ADMIN_USERS = ["boss@example.com"]
"""
PROJECT_SECRETS = f"""
KANTU_API_KEY = "{KEY}"
KANTU_BASE_URL = "http://127.0.0.1:9/v1"
KANTU_MODEL = "gpt-4o"
KANTU_HOSTED = false
KANTU_ACCESS_CODE = ["code-a", "code-b"]
KANTU_ALLOW_VISITOR_KEYS = false
KANTU_ALLOWED_USERS = ["@example.com"]
KANTU_ALLOWED_MODELS = ["gpt-4o", "gpt-4o-mini"]
KANTU_ADMIN_CODE = "admin-code-1"
KANTU_LEDGER_PATH = "/tmp/ledger.sqlite3"

[KANTU_LIMITS]
daily_requests = 500
daily_cost = 2.5

[KANTU_PRICES]
"gpt-4o" = {{ input = 2.0, output = 8.0, currency = "USD" }}
"""
ENVIRON = {
    "KANTU_ACCESS_CODE": "from-the-environment",  # the secrets files win
    "KANTU_LEDGER_SALT": "salt-from-the-environment",  # only here: read from here
    "OPENAI_API_KEY": "sk-openai-environment",
}


@pytest.fixture
def places(tmp_path: Path) -> tuple[Path, Path]:
    """A home and a project directory, each with a ``.streamlit/secrets.toml``."""
    home, project = tmp_path / "home", tmp_path / "project"
    for place, text in ((home, USER_SECRETS), (project, PROJECT_SECRETS)):
        (place / ".streamlit").mkdir(parents=True)
        (place / ".streamlit" / "secrets.toml").write_text(text, encoding="utf-8")
    return home, project


def app_source(home: Path, project: Path) -> SettingsSource:
    """What a page reads: Streamlit's secrets from its default files, as a plain mapping."""
    old = st_config.get_option("secrets.files")
    files = [str(home / ".streamlit/secrets.toml"), str(project / ".streamlit/secrets.toml")]
    st_config.set_option("secrets.files", files)
    try:
        secrets = Secrets()
        secrets.load_if_toml_exists()
        return SettingsSource(plain(secrets), ENVIRON)
    finally:
        st_config.set_option("secrets.files", old)


def test_the_cli_and_the_app_read_the_same_value_for_each_setting(places):
    home, project = places
    app = app_source(home, project)
    cli = command_line_source(cwd=project, home=home, environ=ENVIRON)
    for name in (*OPERATOR_SETTINGS, *HOSTING_SETTINGS, "KANTU_PRICES"):
        assert cli.value(name) == app.value(name), name
    # and what the settings become
    assert hosting_config(cli.secrets, cli.environ) == hosting_config(app.secrets, app.environ)
    assert operator_config(cli.secrets, cli.environ) == operator_config(app.secrets, app.environ)
    assert PriceBook.from_settings(cli) == PriceBook.from_settings(app)


def test_the_project_file_wins_over_the_users_and_both_over_the_environment(places):
    home, project = places
    source = command_line_source(cwd=project, home=home, environ=ENVIRON)
    assert source.strings("KANTU_ACCESS_CODE") == ("code-a", "code-b")
    assert source.strings("KANTU_ADMIN_USERS") == ("boss@example.com",)  # only the user's file
    assert source.text("KANTU_LEDGER_SALT") == "salt-from-the-environment"
    assert source.flag("KANTU_HOSTED") is False
    only_home = command_line_source(cwd=home / "elsewhere", home=home, environ=ENVIRON)
    assert only_home.text("KANTU_ACCESS_CODE") == "from-the-user-file"


def test_a_list_a_table_and_a_flag_read_the_same_from_secrets_and_from_the_environment():
    secrets = SettingsSource(
        {
            "KANTU_ALLOWED_MODELS": ["a", " b "],
            "KANTU_LIMITS": {"daily_requests": 5, "currency": "USD"},
            "KANTU_HOSTED": True,
        },
        {},
    )
    environ = SettingsSource(
        None,
        {
            "KANTU_ALLOWED_MODELS": "a, b",
            "KANTU_LIMITS": 'daily_requests = 5\ncurrency = "USD"',
            "KANTU_HOSTED": "yes",
        },
    )
    assert secrets.strings("KANTU_ALLOWED_MODELS") == environ.strings("KANTU_ALLOWED_MODELS")
    assert secrets.table("KANTU_LIMITS") == environ.table("KANTU_LIMITS")
    assert secrets.flag("KANTU_HOSTED") is environ.flag("KANTU_HOSTED") is True


def test_a_code_given_as_a_toml_number_is_one_code():
    assert SettingsSource({"KANTU_ACCESS_CODE": 123456}, {}).strings("KANTU_ACCESS_CODE") == (
        "123456",
    )


def test_blank_values_and_a_missing_secrets_file_count_as_unset():
    class NoSecretsFile(dict):
        def get(self, name, default=None):
            raise FileNotFoundError("no secrets.toml")

    source = SettingsSource({"KANTU_MODEL": "  "}, {"KANTU_MODEL": "gpt-4o"})
    assert source.text("KANTU_MODEL") == "gpt-4o"
    assert SettingsSource(NoSecretsFile(), {"KANTU_MODEL": "m"}).text("KANTU_MODEL") == "m"
    assert SettingsSource(None, None).value("KANTU_MODEL") is None
    assert SettingsSource().strings("KANTU_ALLOWED_MODELS") == ()


def test_a_malformed_value_names_the_setting_never_its_value():
    source = SettingsSource({}, {"KANTU_PRICES": "sk-secret-looking = {", "KANTU_HOSTED": "sk-x"})
    for read in (lambda: source.table("KANTU_PRICES"), lambda: source.flag("KANTU_HOSTED")):
        with pytest.raises(ConfigError) as caught:
            read()
        assert caught.value.reason == "bad_setting"
        for lang in ("zh", "en"):
            message = caught.value.message(lang)
            assert "KANTU_" in message and "sk-" not in message


def test_a_secrets_file_that_is_not_toml_is_a_config_error(tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("KANTU_API_KEY = sk-unquoted")
    with pytest.raises(ConfigError) as caught:
        command_line_source(cwd=tmp_path, home=tmp_path / "nobody", environ={})
    assert caught.value.reason == "bad_setting" and "sk-unquoted" not in str(caught.value)


def test_the_command_line_prices_with_kantu_prices_from_the_projects_secrets_file(tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[KANTU_PRICES]\n"gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }\n'
    )
    env = cli_environment(HOME=str(tmp_path / "home"))
    with FakeUpstream() as up:
        up.enqueue(sse(["答案"], usage={"prompt_tokens": 1000, "completion_tokens": 100}))
        command = [sys.executable, "-m", "components", "ask", "--base-url", up.base_url]
        done = subprocess.run(
            [*command, "--api-key", KEY, "--json", "hi"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["billed_cost"]["text"] == "¥0.0015"


class _Secrets(dict):
    """A stand-in secrets object (weak-referenceable, as Streamlit's is)."""


def test_the_parsed_secrets_are_kept_until_the_file_changes_or_other_secrets_come():
    cache = SecretsCache()
    made: list[str] = []

    def make(value: str):
        def _make():
            made.append(value)
            return {"KANTU_MODEL": value}

        return _make

    first = _Secrets()
    assert cache.get(first, make("a"))["KANTU_MODEL"] == "a"
    assert cache.get(first, make("b"))["KANTU_MODEL"] == "a"  # kept: not parsed again
    cache.invalidate(None)  # Streamlit re-read the edited file
    assert cache.get(first, make("b"))["KANTU_MODEL"] == "b"
    assert cache.get(_Secrets(), make("c"))["KANTU_MODEL"] == "c"  # a test's own secrets
    assert made == ["a", "b", "c"]
    copy = cache.get(first, make("d"))
    copy["KANTU_MODEL"] = "changed by a caller"
    assert cache.get(first, make("d"))["KANTU_MODEL"] != "changed by a caller"


def test_no_secrets_file_is_empty_settings_looked_for_again_after_a_moment():
    """Without a secrets file Streamlit looks for one on every access; the cache looks again
    only once ``recheck_missing_s`` has passed, so a file added later still applies."""
    now = [100.0]
    cache = SecretsCache(recheck_missing_s=1.0, clock=lambda: now[0])
    looked: list[float] = []
    file: dict[str, str] = {}

    def make():
        looked.append(now[0])
        if not file:
            raise FileNotFoundError("no secrets.toml")
        return dict(file)

    secrets = _Secrets()
    assert cache.get(secrets, make) == {}
    now[0] += 0.5
    assert cache.get(secrets, make) == {}  # not looked for again yet
    assert looked == [100.0]
    file["KANTU_MODEL"] = "gpt-4o"  # the operator adds the file
    now[0] += 0.6
    assert cache.get(secrets, make) == {"KANTU_MODEL": "gpt-4o"}
    now[0] += 60
    assert cache.get(secrets, make) == {"KANTU_MODEL": "gpt-4o"}  # a file read is kept
    assert looked == [100.0, 101.1]


def test_secrets_that_fail_otherwise_are_not_kept():
    cache = SecretsCache()

    def broken():
        raise ValueError("not TOML")

    with pytest.raises(ValueError):
        cache.get(_Secrets(), broken)
