"""How a `CheckReport` leaves the program: one function per format, nothing else (lychee's formatters).

    text      a rich table for people (only the rows that need attention, then the counts)
    json      {"links": [{"path", "line", "service", "link", "status", "reason"}], "counts": {...}, ...}
    junit     one testcase per row: broken is a failure, inconclusive an error, skipped skipped
    github    workflow commands: `::error` on the article's file and line for broken links, `::warning` for
              inconclusive ones, so a pull request shows them inline
    markdown  a table for `$GITHUB_STEP_SUMMARY`

Apart from `render_text`, which prints to the console it is given, every function returns a string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from rich.console import Console
from rich.table import Table
from rich.text import Text

from worker.check import CheckReport, CheckResult

STATUS_STYLE = {"ok": "green", "broken": "bold red", "inconclusive": "yellow", "skipped": "dim"}
STATUS_MARK = {"ok": "✅", "broken": "❌", "inconclusive": "⚠️", "skipped": "⏭️"}
SUITE_NAME = "playlist-worker check"


def summary(report: CheckReport) -> str:
    """One line: how many rows had each outcome."""
    counts = report.counts()
    mode = " (offline: form and consistency only)" if report.offline else ""
    parts = ", ".join(f"{counts[status]} {status}" for status in STATUS_STYLE)
    return f"{counts['total']} checked{mode}: {parts}"


def _where(result: CheckResult) -> str:
    return f"{result.path}:{result.line}" if result.line else result.path


# --- text ------------------------------------------------------------------------------------------------


def render_text(report: CheckReport, console: Console, *, show_ok: bool = False) -> None:
    """The rows that need attention (all rows with `show_ok`), then the counts."""
    rows = [r for r in report.results if show_ok or r.status != "ok"]
    if rows:
        table = Table(title="Playlist links", title_justify="left")
        for header in ("Status", "Article", "Service", "Link", "Reason"):
            table.add_column(header, overflow="fold")
        for result in rows:
            table.add_row(
                Text(result.status, style=STATUS_STYLE[result.status]),
                Text(_where(result)),
                Text(result.service or "article"),
                Text(result.link),
                Text(result.reason + (" (cached)" if result.cached else "")),
            )
        console.print(table)
    console.print(Text(summary(report)))


# --- json ------------------------------------------------------------------------------------------------


def to_json(report: CheckReport) -> dict[str, Any]:
    """The documented JSON shape; keys are only ever added."""
    return {
        "links": [_result_json(result) for result in report.results],
        "counts": report.counts(),
        "offline": report.offline,
        "exit_code": report.exit_code,
        "api_calls": report.api_calls,
    }


def _result_json(result: CheckResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "line": result.line,
        "service": result.service,
        "link": result.link,
        "status": result.status,
        "reason": result.reason,
        "cached": result.cached,
    }


def render_json(report: CheckReport) -> str:
    return json.dumps(to_json(report), ensure_ascii=False, indent=2)


# --- junit -----------------------------------------------------------------------------------------------


def render_junit(report: CheckReport) -> str:
    """JUnit XML: one testcase per row, named after its service, line and link, grouped by article."""
    counts = report.counts()
    suite = ElementTree.Element(
        "testsuite",
        name=SUITE_NAME,
        tests=str(counts["total"]),
        failures=str(counts["broken"]),
        errors=str(counts["inconclusive"]),
        skipped=str(counts["skipped"]),
    )
    for result in report.results:
        suite.append(_testcase(result))
    root = ElementTree.Element("testsuites", name=SUITE_NAME)
    root.append(suite)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True)


def _testcase(result: CheckResult) -> ElementTree.Element:
    name = f"{result.service or 'article'} line {result.line or '?'}: {result.link}"
    case = ElementTree.Element("testcase", classname=result.path, name=name, file=result.path)
    if result.line:
        case.set("line", str(result.line))
    child = {"broken": "failure", "inconclusive": "error", "skipped": "skipped"}.get(result.status)
    if child:
        ElementTree.SubElement(case, child, message=result.reason).text = result.reason
    return case


# --- github ----------------------------------------------------------------------------------------------


def render_github(report: CheckReport) -> str:
    """GitHub workflow commands: an error per broken row, a warning per inconclusive one, then the counts."""
    commands = {"broken": "error", "inconclusive": "warning"}
    lines = [
        _annotation(commands[result.status], result) for result in report.results if result.status in commands
    ]
    return "\n".join([*lines, summary(report)])


def _annotation(command: str, result: CheckResult) -> str:
    properties = {
        "file": result.path,
        "title": f"{result.service or 'article'} playlist link {result.status}",
    }
    if result.line:
        properties["line"] = str(result.line)
    rendered = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    message = f"{result.link}: {result.reason}" if result.link else result.reason
    return f"::{command} {rendered}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# --- markdown --------------------------------------------------------------------------------------------


def render_markdown(report: CheckReport) -> str:
    """A job summary: the counts, then a table of the rows that need attention."""
    lines = ["## Playlist links", "", summary(report), ""]
    rows = [result for result in report.results if result.status != "ok"]
    if not rows:
        return "\n".join([*lines, "Every link works."])
    lines += ["| | Article | Service | Link | Reason |", "|---|---|---|---|---|"]
    lines += [
        "| "
        + " | ".join(
            (
                STATUS_MARK[result.status],
                _cell(_where(result)),
                _cell(result.service or "article"),
                _cell(result.link),
                _cell(result.reason),
            )
        )
        + " |"
        for result in rows
    ]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


STRING_FORMATS: dict[str, Callable[[CheckReport], str]] = {
    "json": render_json,
    "junit": render_junit,
    "github": render_github,
    "markdown": render_markdown,
}
"""Every format but text, which prints to a rich console."""
