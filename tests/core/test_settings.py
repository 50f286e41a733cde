"""Production settings pass Django's deployment checks; settings come from the environment."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

JIFANG = str(Path(sys.executable).with_name("jifang"))


def run_jifang(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    """`jifang <args>` in a fresh process, so settings are read from this environment."""
    # Neither our settings nor the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE may leak into the child.
    base = {k: v for k, v in os.environ.items() if not k.startswith("JIFANG_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base.update(JIFANG_VAR_DIR=str(tmp_path / "var"), **env)
    return subprocess.run([JIFANG, *args], env=base, capture_output=True, text=True, timeout=120)


PRODUCTION = {"JIFANG_PRODUCTION": "1", "JIFANG_ALLOWED_HOSTS": "jifang.example.org"}


def test_production_settings_pass_check_deploy(tmp_path):
    key = tmp_path / "platform.pem"
    assert run_jifang(tmp_path, "audit", "platform-key", "--new", str(key)).returncode == 0
    assert key.stat().st_mode & 0o077 == 0
    result = run_jifang(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION,
                        JIFANG_SECRET_KEY=secrets.token_urlsafe(60), JIFANG_PLATFORM_KEY_FILE=str(key))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_platform_key_is_not_deployable(tmp_path):
    """The development key is generated next to the database it protects: never in production."""
    result = run_jifang(tmp_path, "check", "--deploy", **PRODUCTION, JIFANG_SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode != 0 and "jifang.E001" in result.stderr + result.stdout
    assert not list((tmp_path / "var").glob("platform-key*"))
    result = run_jifang(tmp_path, "audit", "platform-key", **PRODUCTION, JIFANG_SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode != 0 and "JIFANG_PLATFORM_KEY" in result.stderr


def test_development_settings_are_not_deployable(tmp_path):
    """The same check fails without JIFANG_PRODUCTION: the test above is not vacuous."""
    result = run_jifang(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE off


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_jifang(tmp_path, "check", JIFANG_PRODUCTION="1")
    assert result.returncode != 0
    assert "JIFANG_SECRET_KEY" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()  # never falls back to a generated key


def test_local_secret_key_is_generated_once_and_kept_private(tmp_path):
    assert run_jifang(tmp_path, "check").returncode == 0
    key_file = tmp_path / "var" / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50 and key_file.stat().st_mode & 0o077 == 0
    assert run_jifang(tmp_path, "check").returncode == 0
    assert key_file.read_text() == first
