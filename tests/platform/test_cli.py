from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from claimline.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and "claimline" in result.output


def test_user_lifecycle_from_the_command_line() -> None:
    created = runner.invoke(app, ["users", "create", "xiaoli", "--role", "supervisor", "--name", "小李"])
    assert created.exit_code == 0, created.output
    assert "初始密码" in created.output
    listed = runner.invoke(app, ["users", "list"])
    assert "xiaoli" in listed.output and "班长/质检" in listed.output
    reset = runner.invoke(app, ["users", "reset-password", "xiaoli"])
    assert reset.exit_code == 0 and "新密码" in reset.output
    disabled = runner.invoke(app, ["users", "disable", "xiaoli"])
    assert disabled.exit_code == 0
    assert "已停用" in runner.invoke(app, ["users", "list"]).output


def test_errors_are_one_line_and_non_zero() -> None:
    result = runner.invoke(app, ["users", "create", "Bad Name!"])
    assert result.exit_code != 0
    assert "用户名" in result.output and "Traceback" not in result.output
    missing = runner.invoke(app, ["users", "disable", "nobody"])
    assert missing.exit_code != 0 and "找不到" in missing.output


def test_ensure_admin_prints_password_once() -> None:
    first = runner.invoke(app, ["users", "ensure-admin"])
    assert "密码" in first.output
    second = runner.invoke(app, ["users", "ensure-admin"])
    assert "已有管理员" in second.output


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    runner.invoke(app, ["users", "create", "keeper", "--role", "agent", "--password", "long enough pw"])
    archive = tmp_path / "b.tar.gz"
    assert runner.invoke(app, ["backup", str(archive)]).exit_code == 0
    runner.invoke(app, ["users", "create", "afterwards", "--role", "agent", "--password", "long enough pw"])
    restored = runner.invoke(app, ["restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    listing = runner.invoke(app, ["users", "list"]).output
    assert "keeper" in listing and "afterwards" not in listing
    bad = runner.invoke(app, ["restore", str(tmp_path / "missing.tar.gz"), "--yes"])
    assert bad.exit_code != 0 and "找不到备份文件" in bad.output


def test_production_refuses_default_secret(monkeypatch) -> None:
    import pytest

    from claimline.config import Settings

    monkeypatch.setenv("CLAIMLINE_ENVIRONMENT", "production")
    monkeypatch.delenv("CLAIMLINE_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="默认密钥"):
        Settings()
