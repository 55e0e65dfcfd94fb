"""The `claimline` command: every command in one place. Help texts are in Chinese."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from claimline import __version__
from claimline.audit.service import SYSTEM_ACTOR, record_audit
from claimline.config import get_settings
from claimline.errors import DomainError

console = Console()
err_console = Console(stderr=True)


def _chinese_help_chrome() -> None:
    """Typer/Click print a few framework words of every --help in English; say them in Chinese too."""
    import typer.rich_utils as rich_utils

    try:  # Typer's own copy of Click builds the --help option; a private module, so only if present
        import typer._click.decorators as typer_decorators

        english_help_option = typer_decorators.help_option

        def chinese_help_option(param_decls: list[str]) -> Callable[[Any], Any]:
            add_option = english_help_option(param_decls)

            def apply(command: Any) -> Any:
                result = add_option(command)
                command.params[-1].help = "显示帮助并退出。"
                return result

            return apply

        typer_decorators.help_option = chinese_help_option
    except (ImportError, AttributeError):
        pass
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.ABORTED_TEXT = "已取消。"
    rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"


_chinese_help_chrome()

app = typer.Typer(help="理赔热线 Claimline 命令行工具", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="数据库管理", no_args_is_help=True)
users_app = typer.Typer(help="员工账号管理", no_args_is_help=True)
keys_app = typer.Typer(help="加密密钥管理", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
kb_app = typer.Typer(help="知识库：导入、导出、检查", no_args_is_help=True)
app.add_typer(kb_app, name="kb")

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[red]错误：[/red]{message}", highlight=False)
    raise typer.Exit(code)


def clean_errors(function: F) -> F:
    """Errors become one clear line and a non-zero exit code, never a traceback."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except typer.Exit:
            raise
        except DomainError as error:
            suffix = f"（字段：{error.field}）" if error.field else ""
            fail(f"{error.message}{suffix}")
        except Exception as error:  # noqa: BLE001 - the CLI must not print a traceback
            fail(f"{type(error).__name__}: {error}")

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        console.print(f"claimline {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号并退出")
    ] = False,
) -> None:
    """理赔热线 Claimline 命令行工具。"""


@app.command()
@clean_errors
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口")] = 8000,
    workers: Annotated[int, typer.Option(help="工作进程数")] = 1,
) -> None:
    """启动网页与 API 服务。"""
    import uvicorn

    uvicorn.run("claimline.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, log_level="info")


@db_app.command("upgrade")
@clean_errors
def db_upgrade() -> None:
    """创建或迁移当前配置的数据库到最新版本。"""
    from claimline.migrate import upgrade

    url = get_settings().effective_database_url
    upgrade(url)
    console.print("数据库已是最新版本")


# ---- users -------------------------------------------------------------------------------------------


@users_app.command("create")
@clean_errors
def users_create(
    username: Annotated[str, typer.Argument(help="用户名（小写字母开头）")],
    role: Annotated[str, typer.Option(help="角色：agent 坐席 / supervisor 班长质检 / admin 管理员")] = "agent",
    name: Annotated[str | None, typer.Option(help="姓名（默认同用户名）")] = None,
    password: Annotated[str | None, typer.Option(help="密码（留空自动生成并显示一次）")] = None,
) -> None:
    """新建员工账号。"""
    from claimline.db import session_scope
    from claimline.users.service import create_user, generate_password

    secret = password or generate_password()
    with session_scope() as session:
        user = create_user(session, SYSTEM_ACTOR, username=username, display_name=name or username, role=role,
                           password=secret)
        console.print(f"已新建账号 {user.username}（{user.role_enum.label}）")
    if not password:
        console.print(f"初始密码：{secret}  （只显示这一次）")


@users_app.command("ensure-admin")
@clean_errors
def users_ensure_admin() -> None:
    """没有管理员时新建 admin 账号并显示随机密码（make run 使用）。"""
    from sqlalchemy import select

    from claimline.db import session_scope
    from claimline.users.models import Role, User
    from claimline.users.service import create_user, generate_password

    with session_scope() as session:
        if session.scalar(select(User).where(User.role == Role.admin.value)) is not None:
            console.print("已有管理员账号")
            return
        secret = generate_password()
        create_user(session, SYSTEM_ACTOR, username="admin", display_name="管理员", role="admin", password=secret)
    console.rule("首次启动")
    console.print(f"管理员账号：admin    密码：{secret}")
    console.print("这个密码只显示这一次，请立即记下并在登录后妥善保管。")
    console.rule()


@users_app.command("list")
@clean_errors
def users_list() -> None:
    """列出员工账号。"""
    from claimline.clock import to_display
    from claimline.db import session_scope
    from claimline.users.service import list_users

    table = Table("编号", "用户名", "姓名", "角色", "状态", "最近登录")
    with session_scope() as session:
        for user in list_users(session):
            state = "正常" if user.is_active else "已停用"
            table.add_row(str(user.id), user.username, user.display_name, user.role_enum.label, state,
                          to_display(user.last_login_at))
    console.print(table)


@users_app.command("disable")
@clean_errors
def users_disable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """停用员工账号（立即退出其所有登录）。"""
    from claimline.db import session_scope
    from claimline.users.service import disable_user, get_user_by_username

    with session_scope() as session:
        user = get_user_by_username(session, username)
        if user is None:
            fail(f"找不到用户 {username}")
        assert user is not None
        disable_user(session, SYSTEM_ACTOR, user)
    console.print(f"已停用 {username}")


@users_app.command("reset-password")
@clean_errors
def users_reset_password(
    username: Annotated[str, typer.Argument(help="用户名")],
    password: Annotated[str | None, typer.Option(help="新密码（留空自动生成并显示一次）")] = None,
) -> None:
    """重置员工密码并解除锁定。"""
    from claimline.db import session_scope
    from claimline.users.service import generate_password, get_user_by_username, reset_password

    secret = password or generate_password()
    with session_scope() as session:
        user = get_user_by_username(session, username)
        if user is None:
            fail(f"找不到用户 {username}")
        assert user is not None
        reset_password(session, SYSTEM_ACTOR, user, secret)
    console.print(f"已重置 {username} 的密码" + ("" if password else f"，新密码：{secret}（只显示这一次）"))


# ---- backup, restore, keys -----------------------------------------------------------------------------


@app.command()
@clean_errors
def backup(file: Annotated[Path, typer.Argument(help="备份文件路径（.tar.gz）")]) -> None:
    """把数据库写成一致的备份文件（不含密钥明文）。"""
    from claimline.db import get_engine, session_scope
    from claimline.privacy.backup import write_backup
    from claimline.privacy.keyring import get_keyring

    report = write_backup(get_engine(), get_keyring(), file)
    with session_scope() as session:
        record_audit(session, SYSTEM_ACTOR, "backup", "system", None, f"备份到 {file.name}")
    console.print(f"备份完成：{report.path}（{sum(report.rows.values())} 行，需要密钥 {', '.join(report.key_ids) or '无'}）")


@app.command()
@clean_errors
def restore(
    file: Annotated[Path, typer.Argument(help="备份文件路径")],
    yes: Annotated[bool, typer.Option("--yes", help="不再询问，直接覆盖当前数据")] = False,
) -> None:
    """用备份文件替换当前数据库中的全部数据。"""
    from claimline.db import reset_engine_cache, session_scope
    from claimline.privacy.backup import restore_backup
    from claimline.privacy.keyring import get_keyring

    if not yes and sys.stdin.isatty() and not typer.confirm("这会覆盖当前数据库中的全部数据，确定继续？"):
        fail("已取消")
    report = restore_backup(get_settings().effective_database_url, get_keyring(), file)
    reset_engine_cache()
    with session_scope() as session:
        record_audit(session, SYSTEM_ACTOR, "restore", "system", None, f"从 {file.name} 恢复")
    console.print(f"恢复完成：{sum(report.rows.values())} 行")


@keys_app.command("rotate")
@clean_errors
def keys_rotate() -> None:
    """生成新的加密密钥并用它重新加密全部个人信息（服务无需停机）。"""
    from claimline.db import get_engine, session_scope
    from claimline.privacy.rotation import count_sealed, rotate_keys

    engine = get_engine()
    with Progress(console=console) as progress:
        task = progress.add_task("重新加密个人信息", total=max(1, count_sealed(engine)))
        report = rotate_keys(engine, lambda n: progress.advance(task, n))
    with session_scope() as session:
        record_audit(session, SYSTEM_ACTOR, "keys_rotate", "system", None,
                     f"新密钥 {report.new_key_id}，重新加密 {report.resealed} 项")
    console.print(f"新密钥 {report.new_key_id} 已启用，重新加密 {report.resealed} 项：{json.dumps(report.by_column, ensure_ascii=False)}")


@app.command()
@clean_errors
def estimate(
    file: Annotated[Path, typer.Argument(help="估算请求 JSON 文件（格式同 POST /api/v1/estimate，金额单位为元）")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（默认输出中文明细）")] = False,
) -> None:
    """交通事故赔偿估算：分项金额、公式和依据，交强险、商业险、对方和受害人各承担多少。"""
    from claimline.law.compensation import estimate_compensation, render_estimate_text

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"找不到文件：{file}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        fail(f"文件不是有效的 JSON：{error}")
    result = estimate_compensation(data)
    if as_json:
        sys.stdout.write(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_estimate_text(result))


# ---- knowledge base ------------------------------------------------------------------------------------


@kb_app.command("import")
@clean_errors
def kb_import(
    directory: Annotated[Path, typer.Argument(help="知识条目目录")] = Path("knowledge"),
) -> None:
    """从知识条目文件导入/更新数据库（可重复运行）。

    文件删除的条目自动停用；文件没改而网页上改过的条目保留网页版本（可用 kb export 写回文件）；
    文件改过的以文件为准，网页上的版本保留在修改历史中。
    """
    from claimline.knowledge import commands

    commands.kb_import(console, directory)


@kb_app.command("export")
@clean_errors
def kb_export(directory: Annotated[Path, typer.Argument(help="导出到的目录")]) -> None:
    """把数据库中的全部知识条目写成文件（kb import 可原样读回）。"""
    from claimline.knowledge import commands

    commands.kb_export(console, directory)


@kb_app.command("lint")
@clean_errors
def kb_lint(
    directory: Annotated[Path, typer.Argument(help="知识条目目录")] = Path("knowledge"),
    today: Annotated[str | None, typer.Option(help="按这一天检查复核期限（YYYY-MM-DD，默认今天）")] = None,
) -> None:
    """检查知识条目：缺字段、未知主题、失效法条、重复问法、过期未复核。有错误时退出码非零。"""
    import datetime as dt

    from claimline.knowledge import commands

    day = dt.date.fromisoformat(today) if today else None
    if commands.kb_lint(console, directory, day):
        raise typer.Exit(1)


@app.command()
@clean_errors
def ask(
    question: Annotated[str, typer.Argument(help="问题原文")],
    region: Annotated[str | None, typer.Option(help="省份，例如 广东")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """用已发布的知识条目回答一个问题（直接回答、澄清或转人工）。"""
    from claimline.knowledge import commands

    commands.ask(console, err_console, question, region, as_json)


@app.command("eval")
@clean_errors
def eval_questions(
    file: Annotated[Path, typer.Argument(help="评测文件（JSONL，每行 question 和 topics）")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """评测问题匹配：主题准确率、转人工比例、回答准确率和耗时。"""
    from claimline.knowledge import commands

    commands.evaluate_file(console, err_console, file, as_json)


if __name__ == "__main__":  # pragma: no cover
    app()
