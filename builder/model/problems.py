"""Content problems: a catalogue of stable codes, and the Problem record every stage returns.

Codes are part of Sunlight's interface: editors look them up in the editor's guide
(docs/editor-guide.md), CI scripts match on them. Never rename a code; add a new one.
Messages and hints are in Chinese because editors read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ProblemType:
    code: str
    title: str
    template: str
    hint: str
    severity: Severity = Severity.ERROR
    # Found by comparing the working tree with a base revision (`sunlight check --base`),
    # never by validating one version alone.
    needs_base: bool = False


def _types(*types: ProblemType) -> dict[str, ProblemType]:
    return {t.code: t for t in types}


CATALOGUE: dict[str, ProblemType] = _types(
    # --- reading the file -------------------------------------------------------------
    ProblemType(
        "unreadable-file", "无法读取文件",
        "无法读取文件：{detail}",
        "检查文件是否存在、是否有读取权限。",
    ),
    ProblemType(
        "symlink-not-allowed", "符号链接不是记录文件",
        "这是一个符号链接（快捷方式），指向“{target}”；Sunlight 不读取符号链接",
        "记录必须是 content/ 里的普通文件：把真正的文件复制到这里，再删除这个链接。"
        "链接可能指向仓库以外的文件，读取它会把那里的内容意外公开。",
    ),
    ProblemType(
        "invalid-utf8", "文件不是 UTF-8 编码",
        "第 {line} 行含有不是 UTF-8 编码的字节",
        "请用 UTF-8 编码保存文件（记事本“另存为”时选择 UTF-8）。",
    ),
    ProblemType(
        "utf8-bom", "文件开头有 BOM 标记",
        "文件以 UTF-8 BOM 标记开头，已忽略该标记",
        "请用“UTF-8（无 BOM）”保存文件；BOM 会让其他工具把元数据当成正文。",
        Severity.WARNING,
    ),
    ProblemType(
        "missing-front-matter", "缺少元数据区",
        "文件第一行不是“---”，找不到元数据区",
        "记录文件必须以单独一行“---”开头，接着写字段，再以单独一行“---”结束，之后才是正文。",
    ),
    ProblemType(
        "unclosed-front-matter", "元数据区没有结束",
        "元数据区从第 1 行开始，但没有找到结束它的“---”行",
        "在最后一个字段之后加一行“---”，正文写在它下面。",
    ),
    ProblemType(
        "front-matter-too-large", "元数据区过大",
        "元数据区有 {size} 字节，超过上限 {limit} 字节",
        "元数据只放字段；长篇说明请写在第二个“---”之后的正文里。",
    ),
    ProblemType(
        "front-matter-too-deep", "元数据嵌套过深",
        "元数据在第 {line} 行嵌套超过 {limit} 层",
        "字段最多嵌套几层（例如 延期记录 → 一条延期 → 理由）；请检查是否多了括号或缩进。",
    ),
    ProblemType(
        "yaml-syntax", "元数据格式错误",
        "元数据无法解析：{detail}",
        "检查这一行及上一行：冒号后要有空格，缩进用空格且对齐，引号要成对。",
    ),
    ProblemType(
        "full-width-colon", "字段后用了中文冒号",
        "字段“{field}”后面用了中文冒号“：”，应为英文冒号“:”加一个空格",
        "改成“{fixed}”：切换到英文输入法输入冒号，冒号后空一格。值里面的中文冒号没有问题。",
    ),
    ProblemType(
        "no-space-after-colon", "冒号后面缺少空格",
        "字段“{field}”的冒号“:”后面缺少空格，整行被当成了一段文字",
        "改成“{fixed}”：字段名、英文冒号、一个空格，然后才是值。",
    ),
    ProblemType(
        "tab-indent", "用制表符（Tab）缩进",
        "第 {line} 行开头用了制表符（Tab）缩进（字段“{field}”）",
        "缩进只能用空格：把行首的 Tab 换成空格，与同一层的行对齐（列表项和子字段缩进两个空格）。"
        "记事本里看不出 Tab，可以用能显示空白字符的编辑器，或设置“按 Tab 键插入空格”。",
    ),
    ProblemType(
        "full-width-indent", "用全角空格缩进",
        "第 {line} 行开头用了全角空格“　”缩进（字段“{field}”）",
        "缩进只能用半角空格：切换到英文输入法，把行首的全角空格换成半角空格，与同一层的行对齐"
        "（列表项和子字段缩进两个空格）。",
    ),
    ProblemType(
        "front-matter-not-mapping", "元数据不是“字段: 值”的形式",
        "元数据必须是一组“字段: 值”，这里是{kind}",
        "每行写一个字段，例如“title: 关于……的整改”。",
    ),
    ProblemType(
        "duplicate-key", "字段重复",
        "字段“{field}”在第 {first_line} 行和第 {line} 行各出现一次",
        "删除其中一行；同一字段只能写一次，否则无法确定哪个值有效。",
    ),
    ProblemType(
        "yaml-alias", "使用了锚点或别名",
        "第 {line} 行使用了 YAML 锚点或别名（&、*）",
        "把值直接写出来；为了安全，记录中不允许使用锚点和别名。",
    ),
    ProblemType(
        "yaml-tag", "使用了类型标签",
        "第 {line} 行使用了 YAML 标签“{tag}”",
        "删除“!”或“!!”开头的标签，直接写值；字段的类型由 site_config 决定。",
    ),
    # --- the record against its type -----------------------------------------------------
    ProblemType(
        "unknown-type", "未知的记录类型",
        "记录类型“{value}”不存在",
        "可用的类型：{allowed}。",
    ),
    ProblemType(
        "wrong-folder", "记录放错了文件夹",
        "类型为“{type_label}”的记录应放在 content/{expected}/ 文件夹，现在在 {actual}",
        "把文件移到 content/{expected}/，或改正 type 字段。",
    ),
    ProblemType(
        "unknown-field", "未知字段",
        "“{type_label}”没有字段“{field}”",
        "{suggestion}",
    ),
    ProblemType(
        "missing-field", "缺少必填字段",
        "缺少必填字段“{field}”（{label}）",
        "{field_hint}",
    ),
    ProblemType(
        "wrong-type", "字段值类型不对",
        "字段“{field}”（{label}）应为{expected}，现在是“{value}”",
        "{type_hint}",
    ),
    ProblemType(
        "invalid-enum", "不在可选范围内的值",
        "字段“{field}”（{label}）的值“{value}”不在可选范围内",
        "可选值：{allowed}。",
    ),
    ProblemType(
        "invalid-date", "日期不存在或格式不对",
        "字段“{field}”（{label}）的值“{value}”不是有效日期",
        "日期写成 YYYY-MM-DD，例如 2023-06-30；注意月份和日期要真实存在。",
    ),
    ProblemType(
        "bad-id", "编号格式不对",
        "编号“{value}”不符合“{type_label}”的编号格式",
        "编号格式：{example}（规则 {pattern}）。{advice}",
    ),
    ProblemType(
        "duplicate-id", "编号重复",
        "编号“{value}”已被 {other_path} 使用",
        "每条记录的编号必须唯一：请给后加的那条换一个未用过的编号，并让文件名与编号一致。",
    ),
    ProblemType(
        "broken-reference", "引用的记录不存在",
        "字段“{field}”（{label}）引用的“{value}”不存在",
        "{reference_hint}",
    ),
    ProblemType(
        "wrong-reference-type", "引用了错误类型的记录",
        "字段“{field}”（{label}）应引用{expected}，但“{value}”是{actual}",
        "请填写{expected}的编号。",
    ),
    ProblemType(
        "restricted-reference", "公开记录引用了限定范围的记录",
        "公开记录的字段“{field}”（{label}）引用了限定范围的记录“{value}”",
        "公开字段不能指向问题线索等限定范围的记录；删除这个引用，或把本记录设为内部。",
    ),
    ProblemType(
        "visibility-not-allowed", "公开范围不允许",
        "“{type_label}”不能设为“{value}”",
        "该类型允许的公开范围：{allowed}。",
    ),
    ProblemType(
        "status-requires-field", "状态与字段不一致：缺少字段",
        "状态为“{status_label}”时必须填写“{field}”（{label}）",
        "补上该字段，或把状态改回实际情况。",
    ),
    ProblemType(
        "status-forbids-field", "状态与字段不一致：多余字段",
        "状态为“{status_label}”时不应填写“{field}”（{label}）",
        "如果事项已经完成，请把状态改为完成；否则删除该字段。",
    ),
    ProblemType(
        "status-field-mismatch", "状态与字段不一致：取值不符",
        "状态为“{status_label}”时“{field}”（{label}）应为 {expected}，现在是“{value}”",
        "把该字段改为 {expected}，或把状态改回实际情况。",
    ),
    ProblemType(
        "derived-status-mismatch", "状态与下级记录推算的不一致",
        "状态写的是“{typed_label}”（{value}），按{child_label}推算应为“{derived_label}”"
        "（{derived}）：{children}",
        "把 status 改为 {derived}。网站、统计和开放数据显示的是推算出的“{derived_label}”"
        "（由 site_config/types/{type_name}.yml 的 derive_status 从{child_label}推算）；"
        "如果推算的状态不对，请改正{child_label}的状态。",
        Severity.WARNING,
    ),
    ProblemType(
        "filename-mismatch", "文件名与编号不一致",
        "文件名“{actual}”与编号“{value}”不一致",
        "把文件改名为 {value}.md：网站网址由编号生成，文件名一致才便于查找和审阅。",
        Severity.WARNING,
    ),
    ProblemType(
        "date-order", "日期先后不对",
        "“{field}”（{label}，{value}）早于“{earlier_field}”（{earlier_label}，{earlier_value}）",
        "检查两个日期是否填反或写错。",
    ),
    ProblemType(
        "extension-not-later", "延期后的期限没有推后",
        "第 {number} 次延期的新期限 {value} 不晚于之前的期限 {previous}",
        "延期的新期限必须晚于原期限或上一次延期后的期限；按时间顺序逐条填写。",
    ),
    ProblemType(
        "calendar-gap", "节假日安排尚未收录，无法计算期限",
        "“{field}”（{label}）为 {value}，从这一天起算的“{period}”（{purpose}）要用到 {year} 年的"
        "工作日，而 {year} 年的节假日安排尚未收录",
        "在 site_config/calendar.yml 中补充 {year} 年的节假日安排（以国务院办公厅发布的通知为准）"
        "{record_fix}。Sunlight 不猜测节假日：补上之前，sunlight stats 和网站构建都会停下，以免统计数字漏算这条记录。",
    ),
    ProblemType(
        "unverified-lead-shared", "共享了未经核实的线索",
        "资料交换引用了未经核实的问题线索“{value}”",
        "未经核实的案件线索不得向其他机关提供；核实后（verified: true）再共享，或删除该引用。",
    ),
    # --- the body ----------------------------------------------------------------------
    ProblemType(
        "unbalanced-internal-block", "内部内容标记不成对",
        "{detail}",
        "内部内容写在“<!-- internal -->”和“<!-- /internal -->”两行之间，两者必须成对出现且不能嵌套。",
    ),
    ProblemType(
        "unsafe-html", "正文含有不安全的 HTML",
        "正文第 {line} 行含有不允许的 HTML：{value}",
        "正文请用 Markdown 书写；不允许 <script>、<iframe>、<style> 等标签和 onclick 等事件属性。",
    ),
    ProblemType(
        "unsafe-link", "正文含有不安全的链接",
        "正文第 {line} 行的链接“{value}”不安全",
        "链接只能是 http://、https://、mailto: 或站内相对链接。",
    ),
    ProblemType(
        "unsafe-attribute", "正文含有不允许的属性写法",
        "正文第 {line} 行的属性写法“{value}”不允许",
        "正文里的 HTML 标签只保留这些属性：a 的 href 和 title，abbr 的 title，h2～h6 的 id，"
        "th、td 的 align，提示框的 class；style、background 等其他属性发布时会被删除，所以不允许。"
        "也不要用“{{: ... }}”设置 on… 事件或 style 属性；需要的格式请用 Markdown 表达。",
    ),
    ProblemType(
        "body-too-large", "正文过长",
        "正文有 {size} 字节，超过上限 {limit} 字节（从第 {line} 行起超出）",
        "正文只写摘要和要点；报告全文等长篇材料请作为文件发布在网站上，在正文中链接它。"
        "上限由 site_config/site.yml 的 settings.body_max_bytes 设定。",
    ),
    ProblemType(
        "body-nesting-too-deep", "正文嵌套过深",
        "正文第 {line} 行的{what}嵌套了 {depth} 层，超过上限 {limit} 层",
        "列表和引用最多嵌套 {limit} 层，同一段里没有配对的“[”或“(”也不能超过 {limit} 个；"
        "请检查是否多打了“>”、“-”、括号或缩进。要写括号本身时，可以在前面加“\\”，写作“\\[”。",
    ),
    ProblemType(
        "raw-html", "正文含有 HTML 标签",
        "正文第 {line} 行含有 HTML 标签“{value}”，发布时会按安全规则过滤",
        "请用 Markdown 书写正文，例如用空行分段、用“**”加粗。",
        Severity.WARNING,
    ),
    # --- changes against the base revision (sunlight check --base) -------------------------
    ProblemType(
        "published-record-deleted", "删除了已公开的记录",
        "已公开的记录“{value}”（{type_label}“{title}”）被删除了",
        "已经公开的记录不能删除，只能撤回：恢复这个文件，把状态改为“{withdrawn_status}”，"
        "填写撤回日期（withdrawn）和撤回原因（withdrawal_reason）；公开网站会保留一个撤回说明页。",
        needs_base=True,
    ),
    ProblemType(
        "published-record-hidden", "已公开的记录被改为不公开",
        "记录“{record}”已经公开，现在{how}，公开网站上的页面会消失",
        "已经公开的记录不能收回：恢复原来的公开范围和公开日期。如果它不应再公开，请撤回"
        "（状态改为“{withdrawn_status}”，填写 withdrawn 和 withdrawal_reason），公开网站只保留撤回说明。",
        needs_base=True,
    ),
    ProblemType(
        "id-changed", "编号被修改",
        "编号由“{old}”改成了“{value}”",
        "编号一经使用不得更改（网址和其他记录的引用都靠它）：把 id 改回“{old}”。"
        "如果确实需要新编号，请撤回原记录，再用新编号新建一条记录。",
        needs_base=True,
    ),
    ProblemType(
        "id-taken-on-base", "新记录的编号已被占用",
        "这条新记录的编号“{value}”在基准版本 {base} 上已经是另一条记录的编号：{other}"
        "（“{other_title}”）{how}",
        "多半是别人同时新建了同一个编号的记录，并且先合并了。给这条新记录换用下一个空闲编号 "
        "{next_id}：把文件改名为 {next_path}，并把其中的 id 改成 {next_id}（网页编辑器里："
        "用新编号新建一条，照原样填写后保存，再删除这份草稿）。合并请求页面说这个文件有冲突"
        "（conflict）时，也是这个原因，这样改了冲突也就没有了。",
        needs_base=True,
    ),
    ProblemType(
        "illegal-status-change", "不允许的状态变化",
        "状态不能从“{old_label}”（{old}）改为“{new_label}”（{value}）",
        "“{old_label}”只能改为：{allowed}。请按该类型的状态流转修改，或把状态改回“{old_label}”。",
        needs_base=True,
    ),
    ProblemType(
        "reopen-without-reason", "重新打开没有写原因",
        "状态从“{old_label}”改回“{new_label}”，{detail}",
        "在“{reason_field}”（{reason_label}）中写明这一次为什么重新打开，例如“回头看发现问题反弹”；"
        "原因会公开显示。",
        needs_base=True,
    ),
    ProblemType(
        "resolution-text-changed", "已通过的文本被修改",
        "“{record}”已经通过（{adopted}），它的{part}被修改了",
        "已通过的文本不能直接修改：把{part}改回原样；要修改内容，请新建一条修正案记录"
        "（kind: amendment，amends: {record}），写明修改了什么。",
        needs_base=True,
    ),
    ProblemType(
        "deadline-changed-silently", "期限被悄悄修改",
        "{detail}",
        "原定期限和已有的延期记录都不能改动或删除，请改回原样；期限推后时，在“{extensions}”（{extensions_label}）"
        "末尾新加一条延期记录，写明批准日期、新期限和理由。",
        needs_base=True,
    ),
    ProblemType(
        "frozen-figure-changed", "定格的数字被修改",
        "定格报告“{record}”（期间 {period}）{detail}",
        "定格的数字不能修改，请改回基准版本的样子（例如 git checkout origin/main -- {file}）。"
        "定格有误时，撤回这份报告（状态改为“{withdrawn_status}”，填写 withdrawn 和 withdrawal_reason），"
        "并在下一期报告中说明；生成网站时，与现在的记录不一致的定格数字会列在内部网站的“定格数字复核”页。",
        needs_base=True,
    ),
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, located as precisely as we can."""

    code: str
    path: str
    line: int
    field: str | None = None
    value: Any = None
    message: str = ""
    hint: str = ""
    severity: Severity = Severity.ERROR

    @property
    def title(self) -> str:
        return CATALOGUE[self.code].title

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "value": _jsonable(self.value),
            "title": self.title,
            "message": self.message,
            "hint": self.hint,
        }


def problem(code: str, path: str, line: int, field: str | None = None, value: Any = None,
            **params: Any) -> Problem:
    """Build a Problem from the catalogue, filling its message and hint templates."""
    kind = CATALOGUE[code]
    values = {"field": field, "value": _shown(value), "line": line, **params}
    return Problem(
        code=code,
        path=path,
        line=max(1, int(line)),
        field=field,
        value=value,
        message=kind.template.format(**values),
        hint=kind.hint.format(**values),
        severity=kind.severity,
    )


def _shown(value: Any) -> str:
    """A short, single-line rendering of a bad value for messages."""
    text = value if isinstance(value, str) else repr(value) if value is not None else "（空）"
    text = text.replace("\n", "⏎")
    return text if len(text) <= 60 else text[:57] + "…"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)

