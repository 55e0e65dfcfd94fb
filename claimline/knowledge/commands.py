"""What the knowledge commands of ``claimline`` do and print (``cli.py`` only declares them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from claimline.knowledge.entries import entry_files, topic_name

DEFAULT_DIRECTORY = Path("knowledge")
ACTION_NAMES = {"answer": "直接回答", "clarify": "需要澄清", "handoff": "转人工"}


def _say(console: Console, *parts: Any, **options: Any) -> None:
    """Print without hard line breaks (output is often piped or captured)."""
    options.setdefault("soft_wrap", True)
    options.setdefault("highlight", False)
    console.print(*parts, **options)


@contextmanager
def progress_bar(console: Console, label: str, total: int) -> Iterator[Any]:
    """A Rich progress bar (drawn only on a terminal); yields ``advance(description)``."""
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=max(total, 1))

        def advance(_item: str = "") -> None:
            progress.advance(task)

        yield advance


def kb_import(console: Console, directory: Path) -> None:
    from claimline.db import session_scope
    from claimline.knowledge.sync import import_entries, read_directory

    files = entry_files(directory) if directory.is_dir() else []
    with progress_bar(console, "读取知识条目文件", len(files)) as advance:
        parsed = read_directory(directory, advance)
    with session_scope() as session, progress_bar(console, "写入数据库", len(parsed)) as advance:
        report = import_entries(session, [entry for _, entry in parsed], progress=advance)
    _say(
        console,
        f"知识库导入完成：新增 {len(report.added)} 条，更新 {len(report.changed)} 条，停用 {len(report.retired)} 条，"
        f"未变 {report.unchanged} 条"
    )
    for entry_id in report.retired:
        _say(console, f"  已停用（文件已删除）：{entry_id}")
    if report.kept_web_edits:
        _say(
            console,
            f"[yellow]保留网页上的修改 {len(report.kept_web_edits)} 条（文件未改动）[/yellow]："
            + "、".join(report.kept_web_edits)
            + "。运行 claimline kb export knowledge 可把它们写回文件。"
        )
    for entry_id, number in report.overwritten_web_edits:
        _say(console, f"[yellow]文件覆盖了网页上的修改：{entry_id}（原内容保留在第 {number} 版）[/yellow]")
    if report.database_only:
        _say(console, f"仅存在于数据库中的条目（网页新建，尚未导出）{len(report.database_only)} 条")


def kb_export(console: Console, directory: Path) -> None:
    from sqlalchemy import func, select

    from claimline.db import session_scope
    from claimline.knowledge.models import KnowledgeEntryRecord
    from claimline.knowledge.sync import export_directory

    with session_scope() as session:
        total = session.scalar(select(func.count()).select_from(KnowledgeEntryRecord)) or 0
        with progress_bar(console, "导出知识条目", total) as advance:
            report = export_directory(session, directory, advance)
    _say(
        console,
        f"已导出到 {directory}：写入 {len(report.written)} 个文件，未变 {report.unchanged} 个"
        + (f"，移动 {len(report.moved)} 个（主题已改）" if report.moved else "")
    )


def kb_lint(console: Console, directory: Path, today: Any = None) -> int:
    """Print the problems; returns the number of errors."""
    from claimline.knowledge.lint import lint_directory

    files = entry_files(directory) if directory.is_dir() else []
    with progress_bar(console, "检查知识条目", len(files)) as advance:
        report = lint_directory(directory, today=today, progress=advance)
    if report.errors:
        _say(console, f"[red]错误 {len(report.errors)} 处：[/red]")
        for issue in report.errors:
            where = issue.file or issue.entry_id or "知识库"
            _say(console, "  [red]✗[/red] " + escape(f"{where} [{issue.code}] {issue.message}"))
    if report.warnings:
        _say(console, f"[yellow]警告 {len(report.warnings)} 处：[/yellow]")
        for issue in report.warnings:
            where = issue.file or issue.entry_id or "知识库"
            _say(console, "  [yellow]![/yellow] " + escape(f"{where} [{issue.code}] {issue.message}"))
    verdict = "[green]通过[/green]" if report.ok else "[red]未通过[/red]"
    _say(
        console,
        f"检查了 {report.files} 个文件、{len(report.entries)} 个条目：{verdict}"
        f"（错误 {len(report.errors)}，警告 {len(report.warnings)}）"
    )
    return len(report.errors)


def ask(console: Console, err_console: Console, question: str, region: str | None, as_json: bool) -> None:
    from claimline.db import session_scope
    from claimline.knowledge.service import ask as ask_kb
    from claimline.knowledge.service import current_matcher

    with session_scope() as session:
        if len(current_matcher(session)) == 0:
            _say(err_console, "[yellow]知识库中没有已发布的条目，请先运行 claimline kb import[/yellow]")
        result = ask_kb(session, question, region)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    _say(
        console,
        f"[bold]{ACTION_NAMES[result.action]}[/bold] · 主题：{topic_name(result.topic)}（{result.topic}）"
        f" · 置信度 {result.confidence:.2f}",
    )
    if result.action == "answer" and result.results:
        best = result.results[0]
        _say(console, f"\n[bold]{escape(best.title)}[/bold]")
        _say(console, best.answer, markup=False)
        if best.legal_basis:
            _say(console, "\n法律依据：" + "；".join(best.legal_basis), markup=False)
    else:
        if result.message:
            _say(console, result.message, markup=False)
        for number, choice in enumerate(result.choices, start=1):
            _say(console, f"  {number}. {choice.topic_name}：{choice.title}", markup=False)
    if len(result.results) > (1 if result.action == "answer" else 0):
        _say(console, "\n相关条目：")
        for item in result.results[1 if result.action == "answer" else 0 :]:
            _say(console, f"  - {item.title}（{item.id}，{item.score:.2f}）", markup=False)


def evaluate_file(console: Console, err_console: Console, file: Path, as_json: bool) -> None:
    from claimline.db import session_scope
    from claimline.knowledge.evaluation import load_cases, run_cases, summarize
    from claimline.knowledge.service import current_matcher

    cases = load_cases(file)
    with session_scope() as session:
        matcher = current_matcher(session)
    if len(matcher) == 0:
        _say(err_console, "[yellow]知识库中没有已发布的条目，请先运行 claimline kb import[/yellow]")
    outcomes = []
    with progress_bar(err_console, "评测中", len(cases)) as advance:
        for case in cases:
            outcomes.extend(run_cases(matcher, [case]))
            advance()
    figures = summarize(outcomes)
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False))
        return
    labels = {
        "n": "问题数",
        "top1_topic_accuracy": "首位主题准确率",
        "top3_topic_accuracy": "前三主题准确率",
        "handoff_rate": "转人工比例",
        "answer_precision": "直接回答的准确率",
        "latency_p50_ms": "耗时中位数（毫秒）",
        "latency_p99_ms": "耗时 P99（毫秒）",
    }
    table = Table("指标", "数值", "键")
    for key, value in figures.items():
        shown = f"{value:.1%}" if isinstance(value, float) and not key.startswith("latency") else str(value)
        table.add_row(labels.get(key, key), shown, key)
    _say(console, table)
