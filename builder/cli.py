"""The `sunlight` command. The only module that prints or chooses exit codes.

Exit codes: 0 content valid (or command done), 1 content errors, 2 usage or internal error.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import threading
import traceback
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .stages import statistics
from .model.model import ConfigError
from .stages.engine import EngineError
from .stages.search_index import SearchIndexError
from .pipeline import (Checked, ContentInvalid, LeakDetected, LiveSiteLeaks, Deployment, WrongTarget, build, check,
                       figures)
from .stages.projection import Audience
from .stages.repository import HistoryError
from .stages.publish import ManifestError, PublishRefused
from .commands.editor import EditorError
from .model.problems import Problem, Severity
from .stages.verify import first_leaks

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class SunlightGroup(click.Group):
    """Turns any unexpected exception into exit 2 with a short message, never a traceback
    (set SUNLIGHT_DEBUG=1 to see it)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except ConfigError as exc:
            click.echo("site_config/ 配置有误：", err=True)
            for message in exc.messages:
                click.echo(f"  {message}", err=True)
            ctx.exit(EXIT_USAGE)
        except (KeyboardInterrupt, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - the last line of defence (incl. Rust panics)
            if os.environ.get("SUNLIGHT_DEBUG"):
                traceback.print_exc()
            click.echo(f"sunlight 内部错误：{type(exc).__name__}: {exc}\n"
                       "这不是内容的问题，请把这条信息报告给维护者"
                       "（设置 SUNLIGHT_DEBUG=1 可看到详细信息）。", err=True)
            ctx.exit(EXIT_USAGE)


def root_option(f):
    return click.option("--root", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("."), show_default=True,
                        help="Project folder holding content/ and site_config/.")(f)


@click.group(cls=SunlightGroup)
@click.version_option(__version__, prog_name="sunlight")
def cli() -> None:
    """Sunlight: validate supervision records and publish them."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="text for people, json for tools, github for annotations.")
@root_option
def validate(paths: tuple[Path, ...], fmt: str, root: Path) -> None:
    """Check records: every problem at once, with file, line, field and a hint.

    \b
    Examples:
      sunlight validate
      sunlight validate content/rectifications/ZG-2023-001.md
      sunlight validate --format github
    """
    _require_project(root)
    # lexists, not exists: a broken or looping link is still a file to report on.
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise click.BadParameter(f"找不到 {missing[0]}", param_hint="PATHS")
    checked = check(Deployment(root), [p for p in paths] if paths else None)
    _print_problems(checked, fmt)
    sys.exit(EXIT_OK if checked.validation.valid else EXIT_CONTENT)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Compute overdue figures as of this date (default: today).")
@root_option
def stats(fmt: str, as_of: Any, root: Path) -> None:
    """Print every figure declared in site_config/statistics.yml, computed from all records.

    \b
    Examples:
      sunlight stats
      sunlight stats --format json --as-of 2026-01-01
    """
    _require_project(root)
    day = as_of.date() if as_of else date.today()
    checked, figures_ = figures(Deployment(root), day)
    if not checked.validation.valid:
        _print_problems(checked, "text")
        click.echo("内容有错误，统计数字不可靠；请先改正上面的错误。", err=True)
        sys.exit(EXIT_CONTENT)
    if fmt == "json":
        click.echo(json.dumps(statistics.as_json(figures_), ensure_ascii=False, indent=2))
    else:
        click.echo(statistics.as_text(figures_))


@cli.command("build")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: site/ in the project): new, empty, or a site "
              "Sunlight built for the same audience; anything else is refused.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Build date: embargoes and overdue flags are computed for it (default: today).")
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public",
              show_default=True, help="public: the published site; internal: for the bodies.")
@click.option("--body", default=None,
              help="Internal builds only: the body the build is for (adds its restricted records).")
@click.option("--previous-manifest", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The last published sunlight-manifest.json (default: the one "
              "in the output folder), to refuse rewritten history or lost records.")
@click.option("--first-publication", is_flag=True, default=False,
              help="Declare that nothing was published before (refused if a manifest exists).")
@click.option("--no-history", is_flag=True, default=False,
              help="Do not read Git history (no timelines, change log or feeds entries).")
@root_option
def build_command(out: Path | None, as_of: Any, audience: str, body: str | None,
                  previous_manifest: Path | None, first_publication: bool, no_history: bool,
                  root: Path) -> None:
    """Build a site (validate, project, render, mkdocs, leak guard, swap).

    \b
    Examples:
      sunlight build                                 # public site into site/
      sunlight build --out /tmp/public --as-of 2026-11-21
      sunlight build --audience internal             # into site-internal/
      sunlight build --audience internal --body lz-xc --out site-lz-xc
      sunlight build --previous-manifest live/sunlight-manifest.json   # publishing
      sunlight build --first-publication             # publishing for the first time
    """
    _require_project(root)
    day = as_of.date() if as_of else date.today()
    deployment = Deployment(root)
    wanted = Audience(audience)
    default_out = deployment.public_out if wanted is Audience.PUBLIC else deployment.internal_out
    out_dir = out if out is not None else default_out
    try:
        built = build(deployment, out_dir, day, wanted, body, previous_manifest,
                      history=not no_history, first_publication=first_publication)
    except ContentInvalid as exc:
        _print_problems(exc.checked, "text")
        click.echo("内容有错误，没有生成网站；已发布的网站保持不变。", err=True)
        sys.exit(EXIT_CONTENT)
    except LiveSiteLeaks as exc:
        for leak, others in first_leaks(exc.leaks):
            click.echo(leak.message() + (f"；另有 {others} 个文件也含有它" if others else ""),
                       err=True)
        click.echo(f"没有构建：内容、模板和配置与生成 {out_dir} 的那次构建完全相同，泄露检查却在"
                   f"那里发现 {len(exc.leaks)} 处内部内容——输出文件夹在构建之后被改动过。"
                   "没有发布任何内容；请查明原因，删除这个文件夹后重新构建。", err=True)
        sys.exit(EXIT_USAGE)
    except LeakDetected as exc:
        for leak, others in first_leaks(exc.leaks):
            click.echo(leak.message() + (f"；另有 {others} 个文件也含有它" if others else ""),
                       err=True)
        click.echo(f"公开网站中发现 {len(exc.leaks)} 处内部内容，构建失败；已发布的网站保持不变。",
                   err=True)
        sys.exit(EXIT_CONTENT)
    except WrongTarget as exc:
        click.echo(f"没有构建：{exc}", err=True)
        sys.exit(EXIT_USAGE)
    except (HistoryError, ManifestError) as exc:
        click.echo(f"没有构建：{exc}已发布的网站保持不变。", err=True)
        sys.exit(EXIT_USAGE)
    except PublishRefused as exc:
        click.echo(f"拒绝发布：{exc}", err=True)
        click.echo("已发布的网站保持不变。", err=True)
        sys.exit(EXIT_CONTENT)
    except (EditorError, SearchIndexError) as exc:
        click.echo(f"没有构建：{exc}。已发布的网站保持不变。", err=True)
        sys.exit(EXIT_USAGE)
    except EngineError as exc:
        click.echo("MkDocs 构建失败：", err=True)
        for message in exc.messages:
            click.echo(f"  {message}", err=True)
        sys.exit(EXIT_USAGE)
    warnings = built.checked.validation.warnings
    for p in warnings:
        click.echo(_text_line(p))
    for notice in built.notices:
        click.echo(f"提示：{notice}")
    for difference in built.frozen:
        click.echo(f"[警告] 定格数字与重算不一致：{difference.message()}")
    kind = "公开网站" if wanted is Audience.PUBLIC else "内部网站（不得公开）"
    if built.unchanged:
        click.echo(f"{kind}没有变化：{built.out_dir} 中仍是上次用相同内容生成的文件，"
                   f"没有重新生成，也没有发布（{built.pages} 个页面；泄露检查重新读过每个文件，"
                   f"{built.secrets_checked} 项不应出现的内容，未发现泄露）。")
        return
    click.echo(f"已生成{kind}：{built.out_dir}（{built.pages} 个页面，{built.public_records} 条记录；"
               f"泄露检查 {built.secrets_checked} 项不应出现的内容，未发现泄露）。")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; other than this machine's, anyone on the network "
              "sees the preview.")
@click.option("--port", default="8000", show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public",
              show_default=True)
@click.option("--body", default=None, help="Internal previews only: the body to preview for.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Preview as of this date (default: today).")
@click.option("--trusted-network", is_flag=True, default=False,
              help="Allow the internal preview on an address other than this machine's.")
@click.option("--editor", "with_editor", is_flag=True, default=False,
              help="Also offer the web editor at /editor/, saving into this working copy "
              "(needs Node.js: runs decap-server with npx).")
@root_option
def serve(host: str, port: str, audience: str, body: str | None, as_of: Any,
          trusted_network: bool, with_editor: bool, root: Path) -> None:
    """Preview the site locally; rebuild when content/, templates/ or site_config/ change.

    \b
    Examples:
      sunlight serve                       # http://127.0.0.1:8000/
      sunlight serve --audience internal --port 8001
      sunlight serve --editor              # and the web editor at /editor/
    """
    from .commands.serve import EditorUnavailable, Preview, Rebuilt, is_loopback

    _require_project(root)
    number = _port_number(port)
    wanted = Audience(audience)
    try:
        local = is_loopback(host)
    except OSError:
        _usage_error(f"无法识别 --host 的地址“{host}”：请写 127.0.0.1、localhost 或本机的 IP 地址。")
    if not local and wanted is Audience.INTERNAL and not trusted_network:
        _usage_error(f"拒绝在 {host or '所有网络地址'} 上预览内部网站：同一网络中的任何人都能看到内部内容。"
                     "只在本机预览请去掉 --host；确认网络可信时加 --trusted-network。")
    if with_editor and not local:
        # The local editor writes files into the working copy: nobody else may reach it.
        _usage_error("网页编辑器（--editor）只能在本机使用：它直接改写这个文件夹中的记录。请去掉 --host。")
    if not local:
        click.echo(f"注意：预览在 {host or '所有网络地址'} 上对网络开放，同一网络中的其他人也能看到"
                   f"{'内部内容' if wanted is Audience.INTERNAL else '尚未发布的内容'}。", err=True)

    # The warnings and notices the terminal already shows: a rebuild prints only those it
    # brings anew (one that went and comes back is new again), not the whole list each time.
    shown: set[str] = set()

    def report(result: Rebuilt) -> None:
        nonlocal shown
        if result.error is None:
            lines = [_text_line(p) for p in result.built.checked.validation.warnings] + \
                    [f"提示：{notice}" for notice in result.built.notices]
            for line in lines:
                if line not in shown:
                    click.echo(line)
            shown = set(lines)
            click.echo(f"已更新预览（{result.seconds:.1f} 秒，{result.built.pages} 个页面）。")
        elif isinstance(result.error, ContentInvalid):
            _print_problems(result.error.checked, "text")
            click.echo("内容有错误，预览继续显示上一次成功的版本；改正后会自动更新。")
        elif isinstance(result.error, LeakDetected):
            click.echo(f"泄露检查发现 {len(result.error.leaks)} 处不应出现的内容，预览未更新。")
        else:
            click.echo(f"预览构建失败：{result.error}")

    preview = Preview(Deployment(root), wanted, body, as_of.date() if as_of else None)
    saved = _stop_on_termination()
    try:
        if with_editor:
            click.echo("正在启动网页编辑器的本地服务（第一次需要从 npm 下载）……")
            try:
                preview.start_editor()
            except (EditorUnavailable, EditorError, ConfigError) as exc:
                click.echo(f"提示：{exc}", err=True)
                with_editor = False
        try:
            bound_host, bound_port = preview.start(host, number)
        except OSError as exc:
            _usage_error(_cannot_listen(host, number, exc))
        click.echo(f"预览地址：http://{bound_host}:{bound_port}/ （按 Ctrl+C 停止）", color=False)
        if with_editor:
            click.echo(f"网页编辑器：http://{bound_host}:{bound_port}/editor/ "
                       "（保存的修改直接写入 content/，用 git 提交）", color=False)
        report(preview.rebuild())
        preview.watch(report)
    except KeyboardInterrupt:
        click.echo("已停止预览。")
    finally:
        preview.close()
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _port_number(value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and int(text) <= 65535):
        _usage_error(f"端口“{value}”无效：请写 0 到 65535 之间的整数，例如 --port 8000"
                     "（0 表示自动选择一个空闲端口）。")
    return int(text)


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"端口 {port} 已被占用（也许另一个预览还在运行）：请换一个端口，"
                "例如 --port 8001，或用 --port 0 自动选择。")
    if exc.errno == errno.EACCES:
        return f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限）：请换一个端口，例如 --port 8000。"
    return f"无法在地址 {host} 的端口 {port} 上预览：{exc.strerror or exc}。请检查 --host 和 --port。"


def _stop_on_termination() -> dict[int, Any]:
    """Let SIGTERM (`kill`, an editor closing its terminal pane) and SIGHUP (a closed terminal)
    stop the preview the way Ctrl+C does, so its temporary folder is removed. Returns the
    handlers to restore."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            sig = getattr(signal, name)
            saved[sig] = signal.signal(sig, stop)
    return saved


@cli.command("new")
@click.argument("type_name", metavar="TYPE")
@click.option("--year", type=click.IntRange(1000, 9999), default=None,
              help="Year of the new ID (default: this year).")
@click.option("--title", default=None, help="The record's title (else left for the editor).")
@root_option
def new_command(type_name: str, year: int | None, title: str | None, root: Path) -> None:
    """Create a record to fill in (next free ID, required fields explained); print its path.

    \b
    Examples:
      sunlight new rectification
      sunlight new finding --year 2024 --title "部分涉企审批事项超时办理"
    """
    from .model.model import load_model
    from .commands.scaffold import ScaffoldError, scaffold, write_record

    _require_project(root)
    deployment = Deployment(root)
    try:
        path, text = scaffold(deployment, load_model(deployment.config_dir), type_name,
                              year or date.today().year, title)
        write_record(path, text)
    except ScaffoldError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)
    click.echo(str(path))
    click.echo("请填写冒号后面空着的字段，然后运行 sunlight validate 检查。", err=True)


@cli.command("freeze")
@click.option("--period", "period_id", required=True, metavar="PERIOD",
              help="2024-Q3 (a quarter), 2024 (a year) or a session declared in "
              "site_config/freeze.yml.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Today, for the check that the period has ended (default: today).")
@click.option("--backfill", is_flag=True, default=False,
              help="Count the records of the latest commit (the period's records were "
              "entered after it closed); the report says so.")
@root_option
def freeze_command(period_id: str, as_of: Any, backfill: bool, root: Path) -> None:
    """Freeze a period's figures, as they were on its closing date, into a new record.

    \b
    Examples:
      sunlight freeze --period 2024-Q3
      sunlight freeze --period 2024
      sunlight freeze --period DJK-9 --backfill
    """
    from .commands.freeze import FreezeError, freeze

    _require_project(root)
    try:
        done = freeze(Deployment(root), period_id, as_of.date() if as_of else date.today(),
                      backfill)
    except FreezeError as exc:
        _usage_error(f"没有定格：{exc}")
    for notice in done.notices:
        click.echo(f"提示：{notice}", err=True)
    click.echo(str(done.path))
    how = "补录，按最新提交" if done.backfilled else "按期末那天有效的提交"
    click.echo(f"已定格{done.period.label}（{how} {done.basis[:10]} 中的记录计算，"
               f"{len(done.figures)} 个数字"
               + (f"，与上一期 {done.previous} 相比" if done.previous else "，没有上一期定格报告")
               + "）。请检查后提交这个文件。", err=True)
    for f in done.figures:
        click.echo(f"  {f.label}（{f.figure}）：{f.text}" + (f"（{f.change}）" if f.change else "")
                   + ("  [内部]" if f.internal else ""), err=True)


@cli.command("check")
@click.option("--base", required=True, metavar="REV",
              help="Revision to compare with, e.g. origin/main (the pull request's target).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="text for people, json for tools, github for annotations.")
@click.option("--summary", "summary_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the reviewer's summary (Markdown) to this file "
              "(default: print it after the problems, text format only).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Decide what is public as of this date (default: today).")
@root_option
def check_command(base: str, fmt: str, summary_file: Path | None, as_of: Any,
                  root: Path) -> None:
    """Check a change against a base revision: validation plus the rules between versions
    (nothing published deleted, IDs fixed, lifecycle, amendments, extensions).

    \b
    Examples:
      sunlight check --base origin/main
      sunlight check --base origin/main --format github --summary "$GITHUB_STEP_SUMMARY"
    """
    from .commands.diffcheck import BaseUnavailable, check_against_base
    from .commands.review import summary_markdown

    _require_project(root)
    try:
        result = check_against_base(Deployment(root), base, as_of.date() if as_of else date.today())
    except BaseUnavailable as exc:
        click.echo(f"无法与基准版本比较：{exc}", err=True)
        sys.exit(EXIT_USAGE)
    _print_problems(result.checked, fmt)
    summary = summary_markdown(result)
    if summary_file is not None:
        try:
            summary_file.write_text(summary, encoding="utf-8")
        except OSError as exc:
            click.echo(f"无法写入审核摘要 {summary_file}：{exc.strerror}", err=True)
            sys.exit(EXIT_USAGE)
    elif fmt == "text":
        click.echo("\n" + summary, nl=False)
    sys.exit(EXIT_OK if result.valid else EXIT_CONTENT)


def _usage_error(message: str) -> NoReturn:
    """One Chinese line and exit 2: the user's to fix, not the maintainers'."""
    click.echo(message, err=True)
    sys.exit(EXIT_USAGE)


def _require_project(root: Path) -> None:
    if not (root / "site_config").is_dir() or not (root / "content").is_dir():
        raise click.UsageError(f"{root.resolve()} 不是 Sunlight 项目：找不到 content/ 和 site_config/"
                               "（用 --root 指定项目文件夹）")


# --- printing problems -------------------------------------------------------------------------


def _print_problems(checked: Checked, fmt: str) -> None:
    problems = checked.validation.problems
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    if fmt == "json":
        click.echo(json.dumps({
            "valid": not errors,
            "errors": [p.as_dict() for p in errors],
            "warnings": [p.as_dict() for p in warnings],
            "stats": {"files": checked.files, "records": len(checked.validation.records),
                      "errors": len(errors), "warnings": len(warnings)},
        }, ensure_ascii=False, indent=2))
        return
    if fmt == "github":
        for p in problems:
            click.echo(_github_annotation(p))
    else:
        for p in problems:
            click.echo(_text_line(p))
    summary = f"检查了 {checked.files} 个文件：{len(errors)} 个错误，{len(warnings)} 个警告。"
    click.echo(summary if fmt == "text" else f"::notice title=sunlight validate::{summary}")


def _text_line(p: Problem) -> str:
    tag = "" if p.severity is Severity.ERROR else "[警告] "
    where = f"（字段 {p.field}）" if p.field and p.field not in p.message + "正文" else ""
    return f"{p.path}:{p.line}: {p.code} {tag}{p.message}{where}\n    提示：{p.hint}"


def _github_annotation(p: Problem) -> str:
    level = "error" if p.severity is Severity.ERROR else "warning"
    props = ",".join(f"{k}={_gh_escape(v, prop=True)}" for k, v in
                     (("file", p.path), ("line", str(p.line)), ("title", f"{p.code} {p.title}")))
    return f"::{level} {props}::{_gh_escape(p.message + chr(10) + '提示：' + p.hint)}"


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def main() -> None:
    try:
        cli(prog_name="sunlight")
    except BrokenPipeError:  # e.g. `sunlight validate | head`: the reader left, not an error
        sys.stderr.close()
        os._exit(EXIT_OK)


if __name__ == "__main__":
    main()
