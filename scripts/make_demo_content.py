#!/usr/bin/env python3
"""(Re)write the bulk demo records under content/: sample data compiled from public reports.

What this script owns (and nothing else):
- 洛阳 2023: plan JH-2023-01, its 28 supervision items SX-2023-001..028, the findings
  WT-2023-001..041 and the 129 rectification items ZG-2023-001..129 of the ledger, chosen
  so that `sunlight stats` reproduces the figures of the seed report exactly
  (28 items, 18 key, 18 launched, 8 completed; 129 on the ledger, 113 completed);
- 丹江口: the 26 department heads' 2019 annual performance reports BG-2019-001..026.

Every file it writes carries MARKER as the first front-matter line. A run deletes the files
that carry the marker, then writes them again; hand-written records (no marker) are never
touched. An editor who wants to maintain a generated file by hand deletes the marker line;
the script then leaves that file alone (and says so).

Deterministic: fixed random seed, no network, standard library only.
Usage: python3 scripts/make_demo_content.py [--check]
"""

from __future__ import annotations

import calendar
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
MARKER = "# 本文件由 scripts/make_demo_content.py 生成，重新运行脚本会覆盖它；改为手工维护时请删除本行。"
SEED = 20230129

SOURCE_LY = "示例数据，据《省人大通报洛阳人大监督工作做法》整理"
SOURCE_DJK = "示例数据，据《丹江口市人大加强干部任后履职监督——真监督带来好效果》（《楚天主人》2020年第12期）整理"

# --- YAML writing: plain, readable, quoted only where needed --------------------------------

_SPECIAL_START = set("-?:,[]{}#&*!|>'\"%@`")
_RESERVED = re.compile(r"(?i)^(~|null|true|false|yes|no|on|off|y|n|[-+.]?[0-9][0-9_.:eE+-]*)$")


def needs_quotes(text: str) -> bool:
    """True when a plain YAML scalar would be misread (or typed) by a YAML reader."""
    return (text == "" or text != text.strip() or text[0] in _SPECIAL_START or ": " in text
            or " #" in text or text.endswith(":") or "\t" in text
            or _RESERVED.match(text) is not None)


def scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    text = str(value)
    if needs_quotes(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def emit(key: str, value: object, indent: int = 0) -> list[str]:
    """One field as YAML lines: lists with "- ", objects indented, multi-line text with "|"."""
    pad = " " * indent
    if value is None or value == []:
        return []
    if isinstance(value, list):
        lines = [f"{pad}{key}:"]
        for item in value:
            if isinstance(item, dict):
                sub: list[str] = []
                for k, v in item.items():
                    sub += emit(k, v, indent + 4)
                sub[0] = f"{pad}  - " + sub[0][indent + 4:]
                lines += sub
            else:
                lines.append(f"{pad}  - {scalar(item)}")
        return lines
    if isinstance(value, dict):
        lines = [f"{pad}{key}:"]
        for k, v in value.items():
            lines += emit(k, v, indent + 2)
        return lines
    if isinstance(value, str) and "\n" in value:
        return [f"{pad}{key}: |"] + [f"{pad}  {line}" if line else ""
                                     for line in value.rstrip("\n").split("\n")]
    return [f"{pad}{key}: {scalar(value)}"]


def record_text(fields: dict[str, object], body: str) -> str:
    lines = ["---", MARKER]
    for key, value in fields.items():
        lines += emit(key, value)
    lines.append("---")
    return "\n".join(lines) + "\n" + body.strip("\n") + "\n"


# --- small helpers ---------------------------------------------------------------------------


def cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


UNIT_NAMES = {
    "ly-gov": "洛阳市人民政府", "ly-fgw": "市发展改革委", "ly-jyj": "市教育局",
    "ly-rsj": "市人力资源社会保障局", "ly-swj": "市商务局", "ly-whj": "市文化广电和旅游局",
    "ly-lyj": "市林业局", "ly-sthj": "市生态环境局", "ly-slj": "市水利局", "ly-zjj": "市住房城乡建设局",
    "ly-scj": "市市场监管局", "ly-gxj": "市工业和信息化局", "ly-kjj": "市科技局", "ly-nyj": "市农业农村局",
    "ly-zy": "市中级人民法院", "ly-jcy": "市人民检察院", "ly-yshj": "市营商环境建设办公室",
    "ly-czj": "市财政局", "ly-zrzy": "市自然资源和规划局", "ly-zwfw": "市政务服务和大数据管理局",
    "ly-mzj": "市民政局", "ly-gxq": "洛阳高新区管委会", "ly-mjq": "孟津区人民政府",
    "ly-xax": "新安县人民政府", "ly-sfj": "市司法局",
}

# --- 洛阳 2023: the plan and its 28 supervision items ----------------------------------------
# status: completed (8), launched / result_forming (10), planned (10); key: 18 of 28.
# linked: one of the 12 projects supervised jointly by the congresses of city, county and township.

LY_ITEMS = [
    dict(title="洛阳牡丹保护与发展情况专项监督", key=True, linked=True, status="completed",
         started=date(2023, 2, 16), completed=date(2023, 6, 28),
         subjects=["ly-gov", "ly-lyj", "ly-whj"],
         methods=["hearing_report", "inspection_visit", "satisfaction_vote"],
         text="围绕牡丹种质资源保护、牡丹产业链延伸和牡丹文化旅游融合，组织视察调研，"
              "听取和审议市政府关于洛阳牡丹保护与发展情况的报告，并对报告进行满意度测评。"),
    dict(title="洛阳特色餐饮传承与发展情况专项监督", key=True, linked=True, status="completed",
         started=date(2023, 3, 1), completed=date(2023, 6, 28),
         subjects=["ly-swj", "ly-scj", "ly-whj"],
         methods=["hearing_report", "inspection_visit"],
         text="与“牡丹保护与发展”一并作为“一花一菜”专项监督，聚焦洛阳水席等传统技艺传承、"
              "特色餐饮标准化和品牌培育，市县乡三级人大联动开展视察调研。"),
    dict(title="法检“两院”涉企案件评议", key=True, linked=True, status="completed",
         started=date(2023, 2, 23), completed=date(2023, 8, 30),
         subjects=["ly-zy", "ly-jcy"],
         methods=["appraisal", "satisfaction_vote"],
         text="抽取市、县两级法院和检察院近三年办理的涉企案件进行评查，围绕审理周期、执行到位、"
              "涉案财物处置等环节开展评议，常委会会议对“两院”工作进行满意度测评。"),
    dict(title="“三个一批”重大项目建设情况监督", key=True, linked=True, status="completed",
         started=date(2023, 3, 8), completed=date(2023, 4, 26),
         subjects=["ly-gov", "ly-fgw"],
         methods=["hearing_report", "inspection_visit"],
         text="对“签约一批、开工一批、投产一批”项目逐一跟踪，实地察看重点项目现场，"
              "听取和审议市政府关于“三个一批”项目建设情况的报告。"),
    dict(title="高中教育提质增效工作监督", key=True, linked=False, status="completed",
         started=date(2023, 3, 15), completed=date(2023, 8, 30),
         subjects=["ly-jyj"],
         methods=["inspection_visit", "hearing_report"],
         text="围绕普通高中学位供给、教师队伍建设和县域高中办学条件开展专题调研，"
              "听取和审议市政府关于高中教育提质增效工作情况的报告。"),
    dict(title="员额法官和员额检察官履职评议", key=True, linked=True, status="completed",
         started=date(2023, 2, 10), completed=date(2023, 7, 27),
         subjects=["ly-zy", "ly-jcy"],
         methods=["appraisal", "performance_review", "satisfaction_vote"],
         text="采取个人述职、案件评查、代表评议相结合的方式，对员额法官和员额检察官履职情况进行评议。"),
    dict(title="《河南省职业培训条例》执法检查", key=True, linked=True, status="result_forming",
         started=date(2023, 4, 6),
         subjects=["ly-rsj"],
         methods=["law_enforcement_check", "unannounced_visit", "hearing_report"],
         text="围绕“就业难”问题，对条例贯彻实施的11个方面、20项重点工作开展执法检查，"
              "采取暗访调查、听取汇报、实地检查等方式进行，执法检查报告正在起草。"),
    dict(title="黄河保护法贯彻实施情况暗访监督", key=True, linked=True, status="launched",
         started=date(2023, 3, 22),
         subjects=["ly-sthj", "ly-slj", "ly-mjq", "ly-xax"],
         methods=["unannounced_visit"],
         text="按照黄河保护法执行情况暗访监督制度，采取“四不两直”方式深入沿黄区县暗访，"
              "对发现的河水污染、企业搬迁缓慢等问题即时交办、跟踪督办。"),
    dict(title="优化营商环境工作评议", key=True, linked=True, status="launched",
         started=date(2023, 5, 10),
         subjects=["ly-yshj", "ly-zwfw", "ly-scj"],
         methods=["appraisal", "inspection_visit"],
         text="组织人大代表走访市场主体，对政务服务、涉企检查、惠企政策兑现等情况开展工作评议。"),
    dict(title="开发区建设情况专项监督", key=True, linked=True, status="launched",
         started=date(2023, 6, 2),
         subjects=["ly-gxq"],
         methods=["inspection_visit", "hearing_report"],
         text="围绕开发区体制机制改革、亩均效益和主导产业培育开展视察调研。"),
    dict(title="产业链延链补链强链工作监督", key=True, linked=False, status="planned",
         subjects=["ly-gxj"], methods=["hearing_report"],
         text="拟听取和审议市政府关于重点产业链培育情况的报告。"),
    dict(title="科技创新工作情况专项监督", key=True, linked=False, status="result_forming",
         started=date(2023, 5, 18),
         subjects=["ly-kjj"],
         methods=["hearing_report", "inspection_visit"],
         text="围绕企业研发投入、创新平台建设和科技成果转化开展调研，调研报告正在征求意见。"),
    dict(title="民营经济发展促进情况监督", key=True, linked=False, status="planned",
         subjects=["ly-gov", "ly-gxj"], methods=["hearing_report", "inquiry"],
         text="拟听取和审议市政府关于促进民营经济发展情况的报告，并开展专题询问。"),
    dict(title="乡村特色产业发展情况监督", key=True, linked=True, status="planned",
         subjects=["ly-nyj"], methods=["inspection_visit", "hearing_report"],
         text="拟组织三级人大联动视察乡村特色产业，听取和审议专项工作报告。"),
    dict(title="“万人助万企”活动开展情况监督", key=True, linked=True, status="launched",
         started=date(2023, 3, 2),
         subjects=["ly-gxj"],
         methods=["inspection_visit"],
         text="组织人大代表参与“万人助万企”活动，跟踪企业诉求办理情况。"),
    dict(title="案件执行工作专项检查", key=True, linked=True, status="result_forming",
         started=date(2023, 4, 12),
         subjects=["ly-zy"],
         methods=["law_enforcement_check", "hearing_report"],
         text="对全市法院执行案件的立案、查控、终本和案款发放等环节开展专项检查，检查报告正在起草。"),
    dict(title="2022年度市级预算执行和其他财政收支审计工作报告审议", key=True, linked=False,
         status="completed", started=date(2023, 6, 5), completed=date(2023, 6, 28),
         subjects=["ly-gov", "ly-czj"],
         methods=["hearing_report"],
         text="听取和审议市政府关于2022年度市级预算执行和其他财政收支的审计工作报告，"
              "将审计查出的突出问题列入人大整改台账跟踪督办。"),
    dict(title="2022年度国有资产管理情况综合报告审议", key=True, linked=False, status="planned",
         subjects=["ly-gov", "ly-czj"], methods=["hearing_report"],
         text="拟听取和审议市政府关于2022年度国有资产管理情况的综合报告。"),
    dict(title="2022年度环境状况和环境保护目标完成情况报告审议", key=False, linked=False,
         status="completed", started=date(2023, 6, 1), completed=date(2023, 6, 28),
         subjects=["ly-sthj"],
         methods=["hearing_report"],
         text="听取和审议市政府关于2022年度环境状况和环境保护目标完成情况的报告。"),
    dict(title="2023年上半年国民经济和社会发展计划执行情况审议", key=False, linked=False,
         status="launched", started=date(2023, 7, 10),
         subjects=["ly-gov", "ly-fgw"], methods=["hearing_report"],
         text="财政经济委员会开展计划执行情况调研，为常委会会议审议作准备。"),
    dict(title="养老服务体系建设情况专题调研", key=False, linked=False, status="launched",
         started=date(2023, 6, 14),
         subjects=["ly-mzj"], methods=["inspection_visit"],
         text="围绕居家社区养老、农村养老服务设施运营开展专题调研。"),
    dict(title="市政府办理人大代表建议情况报告审议", key=False, linked=False, status="launched",
         started=date(2023, 6, 20),
         subjects=["ly-gov"], methods=["hearing_report", "satisfaction_vote"],
         text="对重点督办建议开展跟踪调研，拟听取和审议市政府办理代表建议情况的报告。"),
    dict(title="城市基层医疗卫生服务能力建设情况视察", key=False, linked=False, status="planned",
         subjects=["ly-gov"], methods=["inspection_visit"],
         text="拟组织部分代表视察社区卫生服务中心和乡镇卫生院。"),
    dict(title="《河南省大气污染防治条例》执法检查", key=False, linked=False, status="planned",
         subjects=["ly-sthj"], methods=["law_enforcement_check"],
         text="拟对条例贯彻实施情况开展执法检查。"),
    dict(title="《中华人民共和国安全生产法》执法检查", key=False, linked=False, status="planned",
         subjects=["ly-gov"], methods=["law_enforcement_check"],
         text="拟对安全生产法在本市的贯彻实施情况开展执法检查。"),
    dict(title="检察机关公益诉讼工作情况报告审议", key=False, linked=False, status="planned",
         subjects=["ly-jcy"], methods=["hearing_report"],
         text="拟听取和审议市人民检察院关于公益诉讼检察工作情况的报告。"),
    dict(title="农村供水保障工作情况视察", key=False, linked=False, status="planned",
         subjects=["ly-slj"], methods=["inspection_visit"],
         text="拟视察农村供水工程建设和运行管护情况。"),
    dict(title="法治政府建设情况报告审议", key=False, linked=False, status="planned",
         subjects=["ly-gov"], methods=["hearing_report"],
         text="拟听取和审议市政府关于法治政府建设情况的报告。"),
]

# --- 洛阳 2023: findings and their rectification measures -------------------------------------
# Each finding: (item number, category, unit, found, short title, description, measures).
# Each measure: (title, result) for a completed one, or (title, progress, key) where key names
# an entry of LY_OPEN (the 16 not completed). A measure may name another unit as 4th element.

LY_FINDINGS = [
    (1, "ecology", "ly-lyj", date(2023, 3, 10), "古牡丹和珍稀品种保护体系不健全",
     "古牡丹和珍稀牡丹品种底数不清，部分古牡丹缺少档案和专门管护措施，种质资源保护体系不健全", [
         ("开展全市古牡丹和珍稀牡丹品种普查建档", "完成全市古牡丹和珍稀品种普查，建立“一株一档”电子档案并挂牌保护。"),
         ("制定牡丹种质资源保护管理办法", "《洛阳市牡丹种质资源保护管理办法》已由市政府印发，明确保护名录、管护责任和经费保障。"),
         ("推进国家牡丹种质资源圃提升改造", "资源圃一期改造已完工；二期扩建用地规划调整已获批，正在开展工程设计。", "peony_garden"),
     ]),
    (1, "policy", "ly-gxj", date(2023, 3, 24), "牡丹产业链条短、精深加工不足",
     "牡丹产业链条短，精深加工企业规模小，牡丹籽油、日化等产品附加值不高", [
         ("出台牡丹精深加工产业扶持措施", "市政府出台支持牡丹产业高质量发展的若干措施，对精深加工项目给予贷款贴息和设备补助。"),
         ("培育牡丹精深加工龙头企业", "遴选重点培育企业8家，其中2家纳入省级农业产业化重点龙头企业名单。"),
         ("建设牡丹产品质量检测和标准化服务平台", "依托市级检验检测机构建成牡丹产品检测平台，发布牡丹籽油等团体标准3项。", None, "ly-scj"),
     ]),
    (1, "public_service", "ly-whj", date(2023, 4, 12), "牡丹文旅融合不够，“一季游”现象突出",
     "牡丹文化节“一季游”现象突出，花期外文旅产品少，牡丹文化与旅游融合不够", [
         ("策划推出四季牡丹文旅产品和线路", "推出“四季赏牡丹”精品线路4条，花期外牡丹主题游客接待量同比明显增长。"),
         ("开发牡丹主题文创产品", "举办牡丹文创设计大赛，推动60余款获奖文创产品转化上市。"),
         ("完善牡丹观赏园区交通和停车配套", "花期新增临时停车泊位2000余个，开通园区间接驳公交线路3条。", None, "ly-zjj"),
     ]),
    (1, "policy", "ly-kjj", date(2023, 4, 12), "牡丹科研投入不足、成果转化慢",
     "牡丹科研投入不足，新品种选育周期长，科研成果转化渠道不畅", [
         ("设立牡丹科技创新专项", "在市级科技计划中设立牡丹专项，当年立项支持新品种选育、深加工等课题6项。"),
         ("搭建牡丹新品种选育产学研合作平台", "与本地高校共建牡丹产业研究院，签订科研成果转化协议5项。"),
         ("建立牡丹新品种登录和推广机制", "完成12个牡丹新品种登录，建立新品种示范推广基地2个。", None, "ly-lyj"),
     ]),
    (2, "policy", "ly-whj", date(2023, 3, 20), "传统餐饮技艺传承人断档",
     "洛阳水席、浆面条等传统制作技艺传承人年龄偏大，后继乏人", [
         ("开展洛阳水席等传统制作技艺代表性传承人认定", "新认定市级非遗代表性传承人12名，建立传承人带徒补助制度。"),
         ("在职业院校开设特色餐饮专业方向", "两所中等职业学校开设洛阳水席烹饪方向，首批招生100余人。", None, "ly-jyj"),
         ("举办特色餐饮传承技能大赛", "举办洛阳特色餐饮技能大赛，评选“洛阳名厨”20名。", None, "ly-rsj"),
     ]),
    (2, "policy", "ly-scj", date(2023, 4, 7), "特色餐饮标准化程度低",
     "特色餐饮标准化程度低，同一品类口味和品质参差不齐，食品安全管理存在薄弱环节", [
         ("制定洛阳水席、牛肉汤等特色餐饮团体标准", "发布洛阳水席、牛肉汤、不翻汤等团体标准5项，组织120家商户对标提升。"),
         ("开展特色餐饮街区食品安全专项检查", "检查特色餐饮商户1300余家次，督促整改问题400余个，立案查处14起。"),
         ("推行特色餐饮“明厨亮灶”改造", "重点街区特色餐饮商户“明厨亮灶”覆盖率达到90%以上。"),
         ("建立特色餐饮食品安全信用档案", "为重点街区餐饮商户建立信用档案，实行分级分类监管。"),
     ]),
    (2, "business_environment", "ly-swj", date(2023, 4, 20), "特色餐饮街区布局散、品牌弱",
     "特色餐饮街区布局分散，缺少有影响力的品牌和连锁企业", [
         ("编制特色餐饮街区布局规划", "《洛阳市特色餐饮街区布局规划》已编制完成并向社会发布。"),
         ("举办洛阳特色餐饮推介活动", "在郑州、西安等地举办推介活动4场，线上推介覆盖千万人次。"),
         ("培育特色餐饮连锁品牌", "支持6家特色餐饮企业开设外地门店，新增连锁门店30余家。"),
     ]),
    (2, "business_environment", "ly-swj", date(2023, 5, 11), "老字号扶持政策落实不到位",
     "老字号企业扶持政策落实不到位，部分老字号面临经营场所搬迁、租金上涨等困难", [
         ("落实老字号企业房租补贴和金融支持政策", "为18家老字号企业兑现房租补贴，协调银行提供专项信贷支持。"),
         ("建立老字号名录和动态管理机制", "发布洛阳老字号名录，建立认定、复核和退出制度。"),
         ("协调解决老字号经营场所搬迁问题", "协调3家面临拆迁的老字号企业在原街区就近安置，保留传统门店风貌。", None, "ly-zjj"),
     ]),
    (3, "judicial", "ly-zy", date(2023, 3, 28), "涉企民商事案件审理周期偏长",
     "部分涉企民商事案件审理周期偏长，长期未结案件仍有一定数量", [
         ("开展涉企长期未结案件专项清理", "清理一年以上未结涉企案件，结案率达到95%以上，剩余案件逐案明确结案时限。"),
         ("建立涉企案件审限预警和督办机制", "办案系统上线审限预警功能，对临近审限的涉企案件逐案督办。"),
         ("推行涉企案件繁简分流", "设立涉企纠纷速裁团队，简单涉企案件平均审理周期明显缩短。"),
         ("建立涉企案件审理情况定期通报制度", "按季度通报各基层法院涉企案件审理周期和长期未结案件情况。"),
     ]),
    (3, "judicial", "ly-zy", date(2023, 4, 18), "涉企案件执行到位率不高",
     "涉企案件执行到位率不高，执行案款发放不及时", [
         ("开展涉企执行案件集中攻坚", "集中执结涉企案件一批，执行到位金额同比上升。"),
         ("规范执行案款管理，推行“一案一账号”", "全市法院执行案款“一案一账号”全覆盖，案款发放平均用时缩短至15个工作日以内。"),
         ("出台善意文明执行工作指引", "出台善意文明执行工作指引，对正常经营的企业审慎采取查封、冻结措施。"),
         ("开展执行案款专项清理", "清理历史执行案款，已全部发放或依法提存。"),
     ]),
    (3, "judicial", "ly-jcy", date(2023, 4, 18), "涉案财物处置监督不够，个别“挂案”久拖",
     "对涉企刑事案件中查封、扣押、冻结财物的处置监督不够，个别涉企“挂案”久拖未决", [
         ("开展涉企“挂案”专项清理", "排查涉企“挂案”并逐案督促办理，已全部依法处理。"),
         ("建立涉案财物处置审查监督机制", "会同市公安局建立涉案财物处置审查监督机制，出台工作规定。"),
         ("开展涉企羁押必要性审查", "开展涉企羁押必要性审查专项活动，对不需要继续羁押的依法建议变更强制措施。"),
     ]),
    (3, "judicial", "ly-jcy", date(2023, 5, 9), "涉企行政执法法律监督力度不够",
     "对涉企行政执法活动的法律监督力度不够，行政执法与检察监督衔接不畅", [
         ("开展涉企行政违法行为检察监督专项活动", "发出涉企行政检察建议一批，被建议单位均已书面回复并整改。"),
         ("建立行政执法与检察监督信息共享机制", "与市司法局签署协作意见，建立行政执法信息共享平台。"),
         ("开展涉企行政诉讼监督案件评查", "评查涉企行政诉讼监督案件，梳理形成典型问题清单并通报。"),
     ]),
    (4, "project", "ly-fgw", date(2023, 3, 20), "签约项目落地转化率不高",
     "部分签约项目落地转化率不高，履约跟踪监管不到位", [
         ("建立签约项目履约跟踪台账", "建立签约项目全流程台账，实行月调度、季通报。"),
         ("对长期未开工签约项目分类处置", "对未开工签约项目逐一研判，推动一批项目开工，依法终止无效签约项目。"),
         ("完善重大项目“周调度、月通报”机制", "市重点项目办每周调度、每月通报，问题清单限时办结。"),
     ]),
    (4, "project", "ly-zrzy", date(2023, 3, 29), "项目用地等要素保障不足",
     "项目要素保障不足，用地、用能等指标落实慢，影响项目按期开工", [
         ("开展批而未供和闲置土地专项清理", "已消化批而未供土地一批；剩余地块涉及征收补偿遗留问题，正在分批处置。", "idle_land"),
         ("建立重大项目要素保障联审机制", "建立用地、规划、环评等联审机制，重大项目要素保障实行清单管理。"),
         ("推行“标准地+承诺制”供地", "新增工业用地全部按“标准地”出让，企业拿地即可开工。"),
     ]),
    (4, "project", "ly-gxj", date(2023, 4, 10), "投产项目达产达效跟踪不够",
     "投产项目达产达效跟踪不够，部分项目投产后产能释放不足", [
         ("建立投产项目达产达效监测制度", "建立投产项目达产达效监测制度，按季度监测产值、税收和用工。"),
         ("对未达产项目“一企一策”帮扶", "对未达产项目逐一制定帮扶方案，协调解决订单、资金和用工问题。"),
         ("将达产达效情况纳入县区考核", "项目达产达效情况已纳入县区年度目标考核。", None, "ly-fgw"),
     ]),
    (5, "public_service", "ly-jyj", date(2023, 4, 6), "普通高中学位供给不足、大班额突出",
     "普通高中学位供给不足，部分县区高中大班额问题突出", [
         ("推进新建、改扩建普通高中项目", "已建成投用改扩建高中3所；新建高中2所主体工程施工中。", "new_schools"),
         ("制定化解普通高中大班额工作方案", "化解大班额工作方案已印发，明确分年度化解目标和责任县区。"),
         ("分年度化解普通高中大班额", "大班额比例逐年下降，剩余县区随新建学校投用同步化解。", "big_classes"),
     ]),
    (5, "public_service", "ly-jyj", date(2023, 4, 25), "高中教师结构性缺编",
     "高中教师结构性缺编，新课程、新高考所需学科教师不足", [
         ("开展普通高中紧缺学科教师专项招聘", "专项招聘普通高中紧缺学科教师一批，已全部到岗。"),
         ("建立县域内教师统筹调配机制", "出台县域内中小学教师统筹调配办法，推动教师在校际间合理流动。"),
         ("实施高中教师新课程新教材培训计划", "完成高中教师新课程新教材全员轮训。"),
     ]),
    (5, "public_service", "ly-jyj", date(2023, 5, 16), "县域高中办学条件薄弱",
     "县域高中办学条件薄弱，实验室、信息化设施配备不达标", [
         ("实施县域高中办学条件提升工程", "县域高中实验室改造分三批实施，前两批已完成验收。", "county_schools"),
         ("补齐县域高中实验仪器设备", "为县域高中补充配齐理化生实验仪器设备。", None, "ly-czj"),
         ("推进县域高中智慧校园建设", "县域高中千兆网络和多媒体教室实现全覆盖。"),
     ]),
    (6, "judicial", "ly-zy", date(2023, 3, 7), "员额法官办案质效不均衡",
     "部分员额法官办案数量与质量不均衡，考核评价区分度不高", [
         ("完善员额法官办案业绩考评办法", "修订员额法官办案业绩考评办法，增加办案质效和群众评价权重。"),
         ("建立员额法官动态退出机制", "出台员额法官退出办法，对考核不合格的依法依规退出员额。"),
         ("开展裁判文书质量评查", "开展裁判文书质量评查，通报问题文书并纳入个人考核。"),
     ]),
    (6, "judicial", "ly-jcy", date(2023, 3, 14), "院领导带头办案落实不到位",
     "员额检察官亲自办案、出庭支持公诉比例不均衡，院领导带头办案落实不到位", [
         ("落实检察长、副检察长带头办案制度", "建立院领导办案情况季度通报制度，院领导办案数量达到规定要求。"),
         ("完善员额检察官业绩考评办法", "修订员额检察官业绩考评办法，突出办案数量、质量和效果。"),
         ("加强员额检察官出庭能力培训", "组织出庭支持公诉观摩和庭审评查活动，覆盖全体刑事检察员额检察官。"),
     ]),
    (17, "funds", "ly-czj", date(2023, 6, 12), "专项资金拨付滞后、资金沉淀",
     "部分专项资金拨付滞后，资金在部门和项目单位沉淀", [
         ("清理盘活存量专项资金", "清理盘活存量资金并统筹用于重点民生项目。"),
         ("建立专项资金拨付进度通报制度", "按月通报专项资金拨付进度，对拨付缓慢的单位约谈提醒。"),
         ("收回长期沉淀资金统筹使用", "收回结转两年以上的沉淀资金，全部统筹使用。"),
         ("完善专项资金绩效评价", "对重点专项资金开展绩效评价，评价结果与下年度预算安排挂钩。"),
     ]),
    (17, "funds", "ly-czj", date(2023, 6, 12), "部分单位政府采购程序不规范",
     "部分单位政府采购程序不规范，存在化整为零规避公开招标等问题", [
         ("开展政府采购专项检查", "对审计指出的单位逐一开展政府采购专项检查，违规问题已整改并追责。"),
         ("修订市级政府采购内部控制规程", "修订市级政府采购内部控制规程，明确分散采购限额和程序。"),
         ("开展政府采购业务培训", "组织市直单位采购人员业务培训，覆盖全部预算单位。"),
     ]),
    (17, "management", "ly-czj", date(2023, 6, 12), "国有资产出租出借管理不规范",
     "行政事业单位国有资产出租出借管理不规范，部分资产出租未经评估", [
         ("清理规范行政事业单位资产出租出借", "清理规范资产出租出借事项，未经评估的重新评估并公开招租。"),
         ("建设行政事业单位资产管理信息平台", "资产管理信息平台上线运行，出租出借事项全流程网上审批。"),
         ("追缴资产出租欠缴租金", "追缴欠缴租金，收入全部缴入国库。"),
     ]),
    (19, "ecology", "ly-sthj", date(2023, 6, 20), "部分区县空气质量改善不明显",
     "部分区县PM2.5平均浓度改善不明显，扬尘管控存在薄弱环节", [
         ("开展建筑工地扬尘专项整治", "对在建工地开展扬尘专项整治，落实“六个百分之百”要求。", None, "ly-zjj"),
         ("推进重点行业超低排放改造", "重点行业企业超低排放改造按计划完成并通过评估监测。"),
         ("建立区县空气质量排名通报和约谈制度", "每月通报区县空气质量排名，对排名靠后的区县约谈。"),
         ("加强重污染天气应急管控", "修订重污染天气应急预案，完善企业应急减排清单。"),
     ]),
    (7, "policy", "ly-rsj", date(2023, 5, 9), "职业培训与产业需求结合不紧",
     "职业培训与产业需求结合不紧，培训工种与重点产业紧缺岗位脱节", [
         ("发布重点产业紧缺工种目录", "发布重点产业紧缺工种目录，每年动态调整。"),
         ("调整补贴性职业培训工种目录", "补贴性职业培训工种目录向紧缺工种倾斜，新增工种20个。"),
         ("推行“订单式”“定向式”培训", "与重点企业合作开展订单式培训，培训后就业率明显提高。"),
     ]),
    (7, "funds", "ly-rsj", date(2023, 5, 23), "培训补贴申领程序繁琐",
     "职业培训补贴申领程序繁琐，补贴资金拨付周期长", [
         ("简化培训补贴申领流程，推行“免申即享”", "培训补贴实现线上申领，符合条件的人员“免申即享”。"),
         ("压缩培训补贴审核拨付时限", "培训补贴审核拨付时限压缩至20个工作日以内。", None, "ly-czj"),
         ("公开培训补贴发放情况", "按季度公开培训补贴发放情况，接受社会监督。"),
     ]),
    (7, "management", "ly-rsj", date(2023, 6, 6), "部分培训机构培训质量不高",
     "部分培训机构培训质量不高，存在重数量轻质量、培训过程监管不严等问题", [
         ("开展职业培训机构质量评估", "完成对全市职业培训机构的质量评估，评估结果向社会公布。"),
         ("推行培训过程线上实时监管", "培训过程实行线上签到和视频抽查，实时监管覆盖补贴性培训班次。"),
         ("清退不合格培训机构", "对评估不合格的培训机构取消补贴性培训资格。"),
     ]),
    (8, "ecology", "ly-sthj", date(2023, 4, 11), "支流入河排污口整治不彻底",
     "部分黄河支流入河排污口排查整治不彻底，雨季存在污水直排现象", [
         ("开展入河排污口溯源整治", "已完成大部分排污口溯源整治；剩余排污口涉及雨污分流管网改造，工程尚未完工。", "outfalls"),
         ("建立支流水质断面自动监测网络", "已建成自动监测站一批，其余站点建设纳入流域治理项目分年度实施。", "monitoring"),
         ("依法查处污水直排企业", "对暗访发现的直排企业依法立案查处，责令停产整治并完成验收。"),
     ]),
    (8, "ecology", "ly-mjq", date(2023, 4, 11), "沿黄企业搬迁改造缓慢",
     "沿黄部分企业搬迁改造进度缓慢，未按期完成退出", [
         ("推进沿黄企业搬迁入园", "已完成搬迁企业大部分；剩余2家企业新址厂房建设中，涉及职工安置和债务处置。", "relocation"),
         ("制定沿黄企业搬迁改造时间表和路线图", "搬迁改造时间表和路线图已印发，逐企明确责任人和节点。"),
         ("落实搬迁企业用地和资金支持", "协调落实搬迁企业新址用地和技改补助资金。", None, "ly-gxj"),
     ]),
    (8, "ecology", "ly-slj", date(2023, 5, 17), "黄河滩区“四乱”问题",
     "黄河滩区存在违规种植高秆作物、乱堆乱放等“四乱”问题", [
         ("开展河湖“清四乱”专项行动", "回头看发现的反弹点位已完成第一轮清理，正在建立长效管护机制。", "reopened"),
         ("完善河长制巡河和问题交办机制", "修订河长巡河办法，问题交办、整改、销号实行闭环管理。"),
         ("清理滩区违规种植高秆作物", "滩区违规种植的高秆作物已全部清理。"),
     ]),
    (8, "ecology", "ly-xax", date(2023, 6, 14), "部分河段河道采砂监管不到位",
     "部分河段存在非法采砂痕迹，河道采砂监管不到位", [
         ("建设河道采砂视频监控系统", "重点河段视频监控点位已完成招标，设备安装和联网尚未完成。", "sand_cameras"),
         ("建立水利、公安、自然资源联合执法机制", "建立河道采砂联合执法机制，开展联合巡查执法。"),
         ("修复非法采砂破坏的河道岸线", "完成非法采砂点位河道岸线修复。", None, "ly-slj"),
     ]),
    (9, "business_environment", "ly-zwfw", date(2023, 6, 8), "涉企事项“一网通办”深度不够",
     "涉企审批事项“一网通办”深度不够，部分事项线上申请、线下跑腿", [
         ("推进高频涉企事项全流程网办", "梳理高频涉企事项，实现全流程网上办理。"),
         ("推行企业开办“一日办结”", "企业开办实现“一网通办、一日办结”。"),
         ("整合部门自建审批系统", "将部门自建审批系统接入一体化政务服务平台，实现数据共享。"),
         ("设立“办不成事”反映窗口", "各级政务服务中心均设立“办不成事”反映窗口，问题限时办结。"),
     ]),
    (9, "business_environment", "ly-scj", date(2023, 6, 21), "涉企检查多头重复",
     "涉企检查多头重复，企业迎检负担较重", [
         ("推行“综合查一次”联合检查", "已在市场监管领域推行联合检查；跨部门检查事项清单尚未全部统一。", "joint_inspection"),
         ("制定涉企轻微违法行为不予处罚清单", "发布涉企轻微违法行为不予处罚和从轻减轻处罚清单。"),
         ("建立涉企检查计划统筹备案制度", "各部门年度涉企检查计划统一备案，避免重复检查。", None, "ly-sfj"),
     ]),
    (9, "business_environment", "ly-yshj", date(2023, 7, 5), "惠企政策兑现率不高",
     "惠企政策知晓率、兑现率不高，政策兑现环节多、周期长", [
         ("建设惠企政策“一站式”兑现平台", "平台已上线政策发布和匹配功能；资金兑付模块与财政系统对接尚未完成。", "policy_platform"),
         ("建立惠企政策解读和精准推送机制", "出台政策同步发布解读，通过平台向符合条件企业精准推送。"),
         ("清理拖欠中小企业账款", "建立拖欠中小企业账款台账，已按约定清偿。", None, "ly-gxj"),
     ]),
    (10, "project", "ly-gxq", date(2023, 6, 27), "开发区亩均效益不高",
     "开发区“亩均效益”不高，低效用地和闲置厂房较多", [
         ("开展低效用地再开发", "已完成低效用地调查认定，正在按“一地一策”分批实施再开发。", "low_efficiency_land"),
         ("建立亩均效益综合评价制度", "出台亩均效益综合评价办法，评价结果与用地、用能等要素配置挂钩。"),
         ("盘活闲置厂房招引项目", "盘活闲置厂房一批，招引落地中小制造业项目。"),
     ]),
    (12, "policy", "ly-kjj", date(2023, 6, 15), "企业研发投入强度偏低",
     "企业研发投入强度偏低，研发费用加计扣除等政策落实不充分", [
         ("落实企业研发费用后补助政策", "按规定兑现企业研发费用后补助资金。"),
         ("开展研发费用加计扣除政策宣讲辅导", "会同税务部门开展政策宣讲辅导，覆盖规模以上工业企业。"),
         ("推动规上工业企业研发活动全覆盖", "建立规上工业企业研发活动台账，推动企业建立研发机构。", None, "ly-gxj"),
     ]),
    (12, "policy", "ly-kjj", date(2023, 7, 6), "科技成果本地转化率不高",
     "科技成果本地转化率不高，中试熟化平台缺乏", [
         ("建设中试基地", "中试基地主体建筑已完工，部分设备正在采购安装。", "pilot_base"),
         ("建立高校院所科技成果转化对接机制", "定期举办科技成果对接会，建立成果转化项目库。"),
         ("培育技术转移示范机构", "新培育市级技术转移示范机构一批。"),
     ]),
    (15, "business_environment", "ly-gxj", date(2023, 4, 20), "企业诉求“办结不解决”",
     "企业诉求办理存在“办结不解决”现象，回访问效不到位", [
         ("建立企业诉求办理回访和满意度评价机制", "企业诉求办结后一律回访，满意度纳入部门考核。"),
         ("对“办结不解决”诉求重新交办", "对回访不满意的诉求重新交办，逐件跟踪至实质解决。"),
         ("建立企业诉求办理情况月通报制度", "按月通报企业诉求办理情况，对超时办理的单位督办。"),
     ]),
    (16, "judicial", "ly-zy", date(2023, 5, 25), "执行财产查控不及时",
     "执行财产查控不及时，部分案件存在消极执行", [
         ("推行网络查控全覆盖", "执行案件立案后即发起网络查控，首次查控率达到100%。"),
         ("开展消极执行专项治理", "开展消极执行专项治理，对问题案件逐案整改。"),
         ("建立执行案件节点管理制度", "执行案件关键节点纳入系统管理，超期自动预警。"),
     ]),
    (16, "judicial", "ly-zy", date(2023, 6, 13), "终本案件管理不规范",
     "终结本次执行程序案件管理不规范，发现财产后恢复执行不及时", [
         ("规范终本案件动态管理", "已完成终本案件集中清理；定期查控和恢复执行机制尚未全面运行。", "final_cases"),
         ("开展终本案件集中清理", "对不符合终本条件的案件恢复执行。"),
         ("建立终本案件定期查控制度", "终本案件每半年自动发起一次网络查控。"),
     ]),
    (21, "public_service", "ly-mzj", date(2023, 7, 19), "农村养老服务设施利用率低",
     "农村养老服务设施利用率低，部分日间照料中心闲置", [
         ("推进农村养老服务设施改造提升", "已改造提升乡镇养老服务中心一批，其余纳入三年行动计划分年度实施。", "rural_care"),
         ("引入专业机构运营闲置日间照料中心", "引入专业养老机构运营闲置日间照料中心，恢复助餐、日托服务。"),
         ("开展农村留守老人关爱巡访", "建立农村留守老人关爱巡访制度，实现定期巡访全覆盖。"),
     ]),
]

# The 16 not completed: deadline in force and how it got there.
# status: in_progress, or reopened. "long": deadline in 2027; "overdue": deadline in force passed.
LY_OPEN = {
    "peony_garden": dict(kind="long", deadline=date(2025, 10, 31), extensions=[
        (date(2025, 9, 26), date(2027, 4, 30), "资源圃二期扩建用地需调整国土空间规划，审批周期较长，经主任会议同意延期。")]),
    "idle_land": dict(kind="long", deadline=date(2027, 6, 30), extensions=[]),
    "new_schools": dict(kind="long", deadline=date(2025, 8, 31), extensions=[
        (date(2025, 7, 15), date(2027, 8, 31), "新建高中项目受用地调整影响，主体工程开工推迟，经主任会议同意延期至2027年秋季开学前。")]),
    "big_classes": dict(kind="long", deadline=date(2027, 9, 1), extensions=[]),
    "county_schools": dict(kind="long", deadline=date(2027, 8, 31), extensions=[]),
    "monitoring": dict(kind="long", deadline=date(2027, 3, 31), extensions=[]),
    "relocation": dict(kind="long", deadline=date(2024, 12, 31), extensions=[
        (date(2024, 12, 10), date(2025, 12, 31), "搬迁企业新址厂房建设周期较长，经主任会议同意延期一年。"),
        (date(2025, 12, 16), date(2027, 6, 30), "剩余2家企业涉及职工安置和债务处置，需分步推进，经主任会议再次同意延期。")]),
    "low_efficiency_land": dict(kind="long", deadline=date(2027, 12, 31), extensions=[]),
    "pilot_base": dict(kind="long", deadline=date(2026, 6, 30), extensions=[
        (date(2026, 6, 5), date(2027, 6, 30), "中试基地部分专用设备需进口，采购和安装周期延长。")]),
    "rural_care": dict(kind="long", deadline=date(2025, 12, 31), extensions=[
        (date(2025, 11, 20), date(2027, 12, 31), "整改任务纳入省级农村养老服务体系建设三年行动，按行动计划分年度推进。")]),
    "outfalls": dict(kind="overdue", deadline=date(2024, 6, 30), extensions=[
        (date(2024, 6, 12), date(2025, 12, 31), "部分排污口涉及老城区雨污分流管网改造，需与管网工程同步实施。")]),
    "sand_cameras": dict(kind="overdue", deadline=date(2026, 9, 30), extensions=[]),
    "joint_inspection": dict(kind="overdue", deadline=date(2026, 6, 30), extensions=[]),
    "policy_platform": dict(kind="overdue", deadline=date(2024, 6, 30), extensions=[
        (date(2024, 6, 20), date(2025, 6, 30), "资金兑付模块需与财政一体化系统对接，技术方案调整。")]),
    "final_cases": dict(kind="overdue", deadline=date(2024, 12, 31), extensions=[]),
    "reopened": dict(kind="reopened", deadline=date(2023, 10, 31), extensions=[
        (date(2024, 5, 20), date(2027, 3, 31), "回头看发现问题反弹，重新整改并纳入黄河滩区综合治理项目，经主任会议同意确定新期限。")],
        reopen_reason="2024年4月暗访回头看发现，部分已清理点位出现违规种植和垃圾堆放反弹，整改成效不稳固。"),
}

EXTENSION_REASONS = [
    "涉及多个部门职责，需提请市政府专题会议研究，经主任会议同意延期。",
    "项目招标程序延长，无法按原期限完成，经主任会议同意延期。",
    "需待上级配套政策文件出台后衔接实施，经主任会议同意延期。",
    "受汛期影响，现场施工无法按原计划推进，经主任会议同意延期。",
    "整改所需资金需列入下年度预算，经主任会议同意延期。",
    "涉及历史遗留问题，需逐户做好群众工作，经主任会议同意延期。",
]

NEXT_STEPS = {
    "long": "下一步：按年度计划推进，每季度向市人大常委会报告进展。",
    "overdue": "下一步：责任单位已倒排工期，完成后报请核查销号。",
    "reopened": "下一步：建立滩区巡查长效机制，巩固整改成效后报请核查销号。",
}

# Problems found by the congresses of city, county and township in each of the 12 linked
# projects, in the order of LY_ITEMS (seed: 372 problems, all handed over).
LY_LINKED_PROBLEMS = [41, 36, 28, 33, 25, 30, 38, 27, 29, 31, 26, 28]

CONTACTS = ["王某某", "李某", "张某某", "刘某", "陈某某", "赵某"]

# --- 丹江口: 26 department heads' 2019 annual performance reports --------------------------------
# (unit, unit name, position, focus of the report, feedback points). The feedback points add
# up to 117, the figure of the seed report.

DJK_HEADS = [
    ("djk-fgj", "市发展和改革局", "局长", "重点项目谋划和中央预算内投资争取", 5),
    ("djk-jyj", "市教育局", "局长", "义务教育均衡发展和农村学校布局调整", 6),
    ("djk-kjj", "市科学技术和经济信息化局", "局长", "规模以上工业企业培育和技术改造", 4),
    ("djk-gaj", "市公安局", "局长", "扫黑除恶专项斗争和库区治安防控", 4),
    ("djk-mzj", "市民政局", "局长", "农村低保精准认定和特困人员供养", 5),
    ("djk-sfj", "市司法局", "局长", "公共法律服务体系建设和“七五”普法", 4),
    ("djk-czj", "市财政局", "局长", "预算管理改革和政府债务风险防控", 5),
    ("djk-rsj", "市人力资源和社会保障局", "局长", "稳就业和农民工工资支付保障", 5),
    ("djk-zrzy", "市自然资源和规划局", "局长", "国土空间规划编制和不动产登记", 4),
    ("djk-zjj", "市住房和城乡建设局", "局长", "老旧小区改造和农村危房改造", 5),
    ("djk-jtj", "市交通运输局", "局长", "“四好农村路”建设和库区渡运安全", 4),
    ("djk-slj", "市水利和湖泊局", "局长", "南水北调水源区河库长制落实和农村饮水安全", 6),
    ("djk-nyj", "市农业农村局", "局长", "柑橘产业发展和农村人居环境整治", 5),
    ("djk-swj", "市商务局", "局长", "招商引资和电子商务进农村", 4),
    ("djk-wlj", "市文化和旅游局", "局长", "武当山旅游经济特区协同发展和公共文化服务", 4),
    ("djk-wjj", "市卫生健康局", "局长", "县域医共体建设和基层医疗服务能力提升", 6),
    ("djk-tyj", "市退役军人事务局", "局长", "退役军人服务保障体系建设", 4),
    ("djk-yjj", "市应急管理局", "局长", "安全生产专项整治和防汛应急能力建设", 5),
    ("djk-sjj", "市审计局", "局长", "重点领域审计和审计整改跟踪", 3),
    ("djk-scj", "市市场监督管理局", "局长", "食品药品安全监管和“证照分离”改革", 5),
    ("djk-tjj", "市统计局", "局长", "统计数据质量和第四次全国经济普查收尾", 3),
    ("djk-ybj", "市医疗保障局", "局长", "医保基金监管和健康扶贫政策落实", 5),
    ("djk-lyj", "市林业局", "局长", "水源区生态公益林保护和松材线虫病防控", 4),
    ("djk-cgj", "市城市管理执法局", "局长", "城市精细化管理和违法建设治理", 4),
    ("djk-xzsp", "市行政审批局", "局长", "“一网通办”和企业开办便利化", 4),
    ("djk-zfb", "市人民政府办公室", "主任", "政务公开和“放管服”改革统筹", 4),
]

DJK_EXCELLENT = {"djk-jyj", "djk-slj", "djk-wjj", "djk-xzsp", "djk-nyj", "djk-ybj", "djk-yjj"}


# --- building the records ----------------------------------------------------------------------


def ly_records(rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    item_ids = [f"SX-2023-{n:03d}" for n in range(1, len(LY_ITEMS) + 1)]
    findings_by_item: dict[int, list[str]] = {}
    finding_ids = [f"WT-2023-{n:03d}" for n in range(1, len(LY_FINDINGS) + 1)]
    for fid, finding in zip(finding_ids, LY_FINDINGS):
        findings_by_item.setdefault(finding[0], []).append(f"{fid} {finding[4]}")

    # the plan
    key_lines = [f"- {iid} {it['title']}" for iid, it in zip(item_ids, LY_ITEMS) if it["key"]]
    other_lines = [f"- {iid} {it['title']}" for iid, it in zip(item_ids, LY_ITEMS) if not it["key"]]
    plan_body = (
        "聚焦市委“三项重点工作”和民生关注的热点难点问题，谋划监督项目"
        f"{len(LY_ITEMS)}项，其中{len(key_lines)}项列为重点监督项目。"
        "监督工作统筹协调领导小组办公室统筹推进，审议意见和监督中发现的问题列入整改台账，"
        "逐项跟踪至整改销号。\n\n"
        f"**重点监督项目（{len(key_lines)}项）**\n\n" + "\n".join(key_lines) +
        f"\n\n**其他监督项目（{len(other_lines)}项）**\n\n" + "\n".join(other_lines))
    files["plans/JH-2023-01.md"] = record_text({
        "id": "JH-2023-01", "type": "plan", "title": "洛阳市人大常委会2023年度监督工作计划",
        "status": "in_progress", "body": "ly-rd", "year": 2023, "adopted": date(2023, 2, 8),
        "source": SOURCE_LY,
    }, plan_body)

    # the items
    linked_seen = 0
    for n, (iid, it) in enumerate(zip(item_ids, LY_ITEMS), start=1):
        fields: dict[str, object] = {
            "id": iid, "type": "item", "title": it["title"], "status": it["status"],
            "plan": "JH-2023-01", "lead_body": "ly-rd",
            "coordination": "linked_levels" if it["linked"] else "single",
            "subjects": it["subjects"], "methods": it["methods"], "key": it["key"],
            "started": it.get("started"), "completed": it.get("completed"),
        }
        if it["linked"]:
            found_here = LY_LINKED_PROBLEMS[linked_seen]
            linked_seen += 1
            fields["linked_problems"] = found_here
            fields["linked_problems_assigned"] = found_here
        if n == 8:
            fields["internal_note"] = ("暗访时间、路线不提前通知被监督单位，按“四不两直”方式安排；"
                                       "暗访视频资料由监督统筹协调办公室统一保管。")
        if n == 9:
            fields["internal_note"] = "评议测评拟安排在10月常委会会议，测评票样由代表工委准备。"
        fields["source"] = SOURCE_LY
        body = it["text"]
        if it["linked"]:
            body += ("\n\n本项目为市县乡三级人大联动监督项目，按照“五个统一”要求同步开展。"
                     f"市县乡三级人大共发现问题{fields['linked_problems']}个，已全部按程序交办。")
        found = findings_by_item.get(n)
        if found:
            body += "\n\n**监督中发现的问题**\n\n" + "\n".join(f"- {line}" for line in found)
        files[f"items/{iid}.md"] = record_text(fields, body)

    # findings and the ledger
    seq = 0
    counts = {"completed": 0, "extended": 0, "late": 0}
    for fid, (item_no, category, unit, found, short, desc, measures) in zip(finding_ids, LY_FINDINGS):
        item = LY_ITEMS[item_no - 1]
        item_id = item_ids[item_no - 1]
        if found < item["started"] or (item.get("completed") and found > item["completed"]):
            raise SystemExit(f"{fid}: found date outside the item's period")
        rect_lines = []
        all_done = True
        for measure in measures:
            seq += 1
            rid = f"ZG-2023-{seq:03d}"
            title, text = measure[0], measure[1]
            open_key = measure[2] if len(measure) > 2 else None
            r_unit = measure[3] if len(measure) > 3 else unit
            rect_lines.append(f"- {rid} {title}")
            assigned = min(found + timedelta(days=rng.randint(7, 25)), date(2023, 12, 20))
            fields = {"id": rid, "type": "rectification", "title": title}
            body_intro = _rect_intro(rng, item, found, desc, assigned, r_unit)
            if open_key is None:
                fields.update(_completed_rect(rng, assigned, text, item, counts))
                body = body_intro + "\n\n" + _completed_outro(rng, fields)
            else:
                all_done = False
                spec = LY_OPEN[open_key]
                fields.update(_open_rect(rng, spec, assigned, text, r_unit))
                body = body_intro + "\n\n" + _open_outro(spec)
            ordered = {"id": rid, "type": "rectification", "title": title,
                       "status": fields.pop("status"), "finding": fid,
                       "responsible_unit": r_unit, "assigned": assigned}
            for k in ("deadline", "deadline_extensions", "progress", "completed", "result",
                      "evidence", "satisfaction", "reopen_reason", "contact", "internal_note"):
                if fields.get(k) is not None:
                    ordered[k] = fields[k]
            ordered["source"] = SOURCE_LY
            files[f"rectifications/{rid}.md"] = record_text(ordered, body)
        finding_body = (
            f"{cn(found)}，市人大常委会在{item['title']}中发现：{desc}。\n\n"
            "**列入整改台账的事项**\n\n" + "\n".join(rect_lines) + "\n")
        files[f"findings/{fid}.md"] = record_text({
            "id": fid, "type": "finding", "title": short,
            "status": "resolved" if all_done else "rectifying",
            "origin": item_id, "source_body": "ly-rd", "unit": unit, "category": category,
            "found": found, "description": desc + "。", "source": SOURCE_LY,
        }, finding_body)
    return files


def _rect_intro(rng: random.Random, item: dict, found: date, desc: str, assigned: date,
                unit: str) -> str:
    unit_name = UNIT_NAMES[unit]
    variants = [
        f"{cn(found)}，市人大常委会在{item['title']}中发现{desc}。"
        f"{cn(assigned)}，该问题列入整改台账，交{unit_name}整改。",
        f"{item['title']}中，常委会组成人员和人大代表反映{desc}。"
        f"经主任会议研究，{cn(assigned)}交{unit_name}办理，列入市人大常委会整改台账。",
        f"针对{item['title']}中发现的{desc}{'' if desc.endswith('问题') else '等问题'}，"
        "市人大常委会监督工作统筹协调办公室于"
        f"{cn(assigned)}向{unit_name}交办本项整改任务。",
    ]
    return rng.choice(variants)


def _completed_rect(rng: random.Random, assigned: date, result: str, item: dict,
                    counts: dict[str, int]) -> dict[str, object]:
    deadline = month_end(assigned + timedelta(days=rng.choice([60, 90, 120, 150, 180])))
    roll = rng.random()
    fields: dict[str, object] = {"status": "completed", "deadline": deadline}
    if roll < 0.07:
        completed = deadline + timedelta(days=rng.randint(8, 45))
        counts["late"] += 1
    elif roll < 0.17:
        ext_date = deadline - timedelta(days=rng.randint(5, 20))
        new_deadline = month_end(deadline + timedelta(days=rng.choice([60, 90, 120])))
        fields["deadline_extensions"] = [{"date": ext_date, "deadline": new_deadline,
                                          "reason": rng.choice(EXTENSION_REASONS)}]
        completed = deadline + timedelta(days=rng.randint(5, (new_deadline - deadline).days))
        counts["extended"] += 1
    else:
        completed = assigned + timedelta(days=rng.randint(25, (deadline - assigned).days))
    counts["completed"] += 1
    fields["completed"] = completed
    fields["result"] = result
    if rng.random() < 0.45:
        fields["evidence"] = rng.sample(["整改情况报告", "相关制度文件", "现场核查记录",
                                         "整改前后对比照片", "专项检查通报"], k=rng.randint(1, 3))
    if "satisfaction_vote" in item["methods"] or "appraisal" in item["methods"]:
        fields["satisfaction"] = rng.choices(["satisfied", "basically_satisfied", "unsatisfied"],
                                             weights=[75, 22, 3])[0]
        if fields["satisfaction"] == "unsatisfied":
            fields["internal_note"] = "测评结果为不满意，已要求责任单位补充整改措施，下次主任会议前书面报告。"
    return fields


def _open_rect(rng: random.Random, spec: dict, assigned: date, progress: str,
               unit: str) -> dict[str, object]:
    fields: dict[str, object] = {
        "status": "reopened" if spec["kind"] == "reopened" else "in_progress",
        "deadline": spec["deadline"],
        "deadline_extensions": [{"date": d, "deadline": nd, "reason": r}
                                for d, nd, r in spec["extensions"]] or None,
        "progress": progress + "\n" + NEXT_STEPS[spec["kind"]],
        "reopen_reason": spec.get("reopen_reason"),
    }
    if spec["kind"] in ("overdue", "reopened"):
        fields["contact"] = f"{UNIT_NAMES[unit]}督办联络员 {rng.choice(CONTACTS)}（示例联系人，电话略）"
        fields["internal_note"] = rng.choice([
            "已发督办函，拟在下次主任会议上听取责任单位专题汇报。",
            "监督统筹协调办公室已约谈责任单位分管负责同志，要求倒排工期。",
            "拟列入下一年度满意度测评事项，请专门委员会跟踪。",
        ])
    return fields


def _completed_outro(rng: random.Random, fields: dict[str, object]) -> str:
    done = fields["completed"]
    lines = [rng.choice([
        f"经专门委员会跟踪核查，整改达到要求，{cn(done)}销号。",
        f"责任单位报送整改情况报告，经实地核查，{cn(done)}销号。",
        f"{cn(done)}，监督统筹协调办公室组织核查后予以销号。",
    ])]
    if fields.get("deadline_extensions"):
        lines.append("该事项曾申请延期一次，在延期后的期限内完成。")
    if fields.get("satisfaction") == "unsatisfied":
        lines.append("常委会满意度测评结果为“不满意”，已要求责任单位巩固整改成效、补充整改措施。")
    return "".join(lines)


def _open_outro(spec: dict) -> str:
    if spec["kind"] == "long":
        return "该事项属于需要长期推进的整改任务，按时间节点分步实施，市人大常委会按季度跟踪督办。"
    text = ("该事项已超过整改期限仍未完成，列为重点督办事项。" if spec["kind"] == "overdue"
            else "该事项曾于2023年10月销号，回头看发现问题反弹后重新列入台账。")
    return (text + "\n\n<!-- internal -->\n"
            "督办记录：监督统筹协调办公室每月电话调度一次，整改进度滞后情况已书面报告主任会议。\n"
            "<!-- /internal -->")


def djk_records(rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    if sum(h[4] for h in DJK_HEADS) != 117 or len(DJK_HEADS) != 26:
        raise SystemExit("丹江口 performance reports: expected 26 reports with 117 feedback points")
    for n, (unit, name, position, focus, points) in enumerate(DJK_HEADS, start=1):
        rid = f"BG-2019-{n:03d}"
        submitted = date(2020, 4, 8) + timedelta(days=rng.randint(0, 21))
        rating = "excellent" if unit in DJK_EXCELLENT else "qualified"
        body = (
            f"{name}{position}按照《丹江口市人大常委会关于政府工作部门负责人履职报告评阅实施办法》，"
            f"于{cn(submitted)}向市人大常委会报送2019年度履职报告，重点报告了{focus}等方面的履职情况。\n\n"
            "评阅小组经分散审阅、集中评阅和延伸评阅，评定报告"
            f"{'为“优秀”' if rating == 'excellent' else '质量“合格”'}，"
            f"向报告人反馈问题及建议{points}条，均已在规定期限内整改落实到位。")
        files[f"reports/{rid}.md"] = record_text({
            "id": rid, "type": "report", "title": f"丹江口{name}{position}2019年度履职报告",
            "status": "reviewed", "kind": "performance_report", "body": "djk-rd", "unit": unit,
            "subject": "SX-2020-001", "period": "2019年度", "due": date(2020, 4, 30),
            "submitted": submitted, "rating": rating, "problems_raised": points,
            "problems_rectified": points,
            "satisfaction_votes": {"satisfied": 27, "basically_satisfied": 0, "unsatisfied": 0},
            "source": SOURCE_DJK,
        }, body)
    return files


# --- writing -----------------------------------------------------------------------------------


def owned_files() -> list[Path]:
    """Record files this script wrote before: they carry the marker line."""
    out = []
    for path in sorted(CONTENT.glob("*/*.md")):
        with path.open(encoding="utf-8") as fh:
            head = [fh.readline() for _ in range(2)]
        if len(head) > 1 and head[1].rstrip("\n") == MARKER:
            out.append(path)
    return out


def check_ly_figures() -> None:
    """The seed report's figures, checked on the data before anything is written."""
    started = [it for it in LY_ITEMS if it["status"] != "planned"]
    figures = (len(LY_ITEMS), sum(it["key"] for it in LY_ITEMS), len(started),
               sum(it["status"] == "completed" for it in LY_ITEMS),
               sum(len(f[6]) for f in LY_FINDINGS),
               sum(1 for f in LY_FINDINGS for m in f[6] if len(m) < 3 or m[2] is None))
    if figures != (28, 18, 18, 8, 129, 113):
        raise SystemExit(f"洛阳 figures drifted from the seed report: {figures}")


def build() -> dict[str, str]:
    check_ly_figures()
    rng = random.Random(SEED)
    files = ly_records(rng)
    files.update(djk_records(rng))
    # Added later with their own random stream, so the records above stay as they were.
    from demo_seeds import seed_records
    files.update(seed_records(random.Random(SEED + 1)))
    return files


def main(argv: list[str]) -> int:
    files = build()
    check_only = "--check" in argv
    owned = {p.relative_to(CONTENT).as_posix() for p in owned_files()}
    if check_only:
        stale = [rel for rel, text in files.items()
                 if rel in owned and (CONTENT / rel).read_text(encoding="utf-8") != text]
        missing = [rel for rel in files if not (CONTENT / rel).exists()]
        extra = sorted(owned - set(files))
        for rel in stale + missing + extra:
            print(f"out of date: content/{rel}")
        return 1 if stale or missing or extra else 0
    for rel in sorted(owned):
        (CONTENT / rel).unlink()
    skipped = 0
    for rel, text in sorted(files.items()):
        path = CONTENT / rel
        if path.exists():  # a hand-maintained file (marker removed): leave it alone
            print(f"skipped content/{rel}: maintained by hand (no generator marker)")
            skipped += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(files) - skipped} files, removed {len(owned)} old generated files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
